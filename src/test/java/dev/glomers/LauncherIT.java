package dev.glomers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.testing.ProductRuns;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/glomers from another working directory. A node served through it, in every mode, is
 * {@code host.NodeHostIT}'s subject; here, what the launcher says by itself.
 */
class LauncherIT {

    @Test
    void launcherWithoutArgumentsShowsUsage(@TempDir Path elsewhere) throws Exception {
        Process launcher = new ProcessBuilder(ProductRuns.LAUNCHER.toString()).directory(elsewhere.toFile())
                .redirectErrorStream(true).start();
        String output = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(launcher.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(launcher.exitValue()).isEqualTo(2);
        assertThat(output).contains("bin/glomers PROFILES");
    }
}
