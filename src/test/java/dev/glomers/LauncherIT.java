package dev.glomers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar through bin/glomers, as the workbench runs it: a real process started from elsewhere. */
class LauncherIT {

    static final Path LAUNCHER = Path.of("bin", "glomers").toAbsolutePath();

    @Test
    void standaloneNodeAnswersInitAndEchoFromAnotherWorkingDirectory(@TempDir Path elsewhere) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "echo").directory(elsewhere.toFile());
        builder.environment().put("GLOMERS_HOST", "off");
        builder.redirectError(elsewhere.resolve("stderr.log").toFile());
        Process node = builder.start();
        try (OutputStream stdin = node.getOutputStream();
                BufferedReader stdout = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            stdin.write(("{\"src\":\"c0\",\"dest\":\"n0\",\"body\":{\"type\":\"init\",\"msg_id\":1,\"node_id\":\"n0\",\"node_ids\":[\"n0\"]}}\n"
                    + "{\"src\":\"c1\",\"dest\":\"n0\",\"body\":{\"type\":\"echo\",\"msg_id\":2,\"echo\":\"über\"}}\n")
                    .getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            assertThat(stdout.readLine()).isEqualTo("{\"src\":\"n0\",\"dest\":\"c0\",\"body\":{\"type\":\"init_ok\",\"in_reply_to\":1}}");
            assertThat(stdout.readLine()).isEqualTo("{\"src\":\"n0\",\"dest\":\"c1\",\"body\":{\"echo\":\"über\",\"type\":\"echo_ok\",\"in_reply_to\":2}}");
            stdin.close();
            assertThat(stdout.readLine()).as("nothing else on stdout").isNull();
            assertThat(node.waitFor(10, TimeUnit.SECONDS)).as("the node exits when its stdin ends").isTrue();
        } finally {
            node.destroyForcibly();
        }
        assertThat(Files.readString(elsewhere.resolve("stderr.log"))).doesNotContain("Exception");
    }

    @Test
    void launcherWithoutArgumentsShowsUsage(@TempDir Path elsewhere) throws Exception {
        Process launcher = new ProcessBuilder(LAUNCHER.toString()).directory(elsewhere.toFile()).redirectErrorStream(true).start();
        String output = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(launcher.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(launcher.exitValue()).isEqualTo(2);
        assertThat(output).contains("bin/glomers PROFILES");
    }
}
