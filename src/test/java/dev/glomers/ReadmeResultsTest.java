package dev.glomers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's results table is what bench/readme-results renders from bench/results.json: figures are
 * edited in the JSON (bench/lib/figures.py add), never by hand in the README.
 */
class ReadmeResultsTest {

    @Test
    void theReadmeResultsTableMatchesTheJson() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("python3", "bench/readme-results", "--check").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
    }
}
