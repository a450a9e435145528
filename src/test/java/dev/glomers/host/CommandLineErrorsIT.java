package dev.glomers.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.testing.ProductRuns;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A user's mistake on the command line: one clear line on stderr, a non-zero exit, no stack trace, in every path. */
class CommandLineErrorsIT {

    /** One host directory for the class: the mistakes go to one warm host, which carries on. */
    @TempDir
    static Path hosts;

    @TempDir
    Path temp;

    @AfterAll
    static void stopHost() throws IOException {
        NodeHostProcesses.stopHosts(hosts);
    }

    @ParameterizedTest(name = "{0} through {1}")
    @CsvSource(delimiter = '|', value = {
            "nosuch                                     | perl | no workload selected (active profiles: [nosuch])",
            "nosuch                                     | java | no workload selected (active profiles: [nosuch])",
            "nosuch                                     | off  | no workload selected (active profiles: [nosuch])",
            "broadcast --glomers.broadcast.fan-out=-3   | perl | bad setting: glomers.broadcast.fan-out must be 0",
            "broadcast --glomers.broadcast.fan-out=-3   | off  | bad setting: glomers.broadcast.fan-out must be 0",
            "echo --glomers.kv.timeout=soon             | java | bad setting glomers.kv.timeout: 'soon' is not a valid duration",
            "echo --glomers.kv.timeout=soon             | off  | bad setting glomers.kv.timeout: 'soon' is not a valid duration"})
    void aMistakeGetsOneLineAndExitStatusOne(String arguments, String path, String expected) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProductRuns.LAUNCHER.toString()));
        command.addAll(List.of(arguments.trim().split(" +")));
        ProcessBuilder builder = new ProcessBuilder(command).directory(temp.toFile());
        Map<String, String> env = builder.environment();
        env.put("GLOMERS_HOST_DIR", hosts.toString());
        env.put("GLOMERS_HOST_QUIET", "10s");
        env.put(path.equals("off") ? "GLOMERS_HOST" : "GLOMERS_CLIENT", path);
        Process node = builder.redirectError(temp.resolve("stderr").toFile()).start();
        node.getOutputStream().close();
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(node.exitValue()).isEqualTo(1);
        assertThat(node.getInputStream().readAllBytes()).as("stdout").isEmpty();
        List<String> said = Files.readAllLines(temp.resolve("stderr")).stream()
                .filter(line -> !line.contains("node host")) // the announcement of a host this test started
                .toList();
        assertThat(said).hasSize(1);
        assertThat(said.get(0)).startsWith("glomers: " + expected);
    }

    @Test
    void aMissingBuildIsNamedWithTheCommandThatMakesIt() throws Exception {
        Path launcher = Files.createDirectories(temp.resolve("clone/bin")).resolve("glomers");
        Files.copy(ProductRuns.LAUNCHER, launcher);
        Process node = new ProcessBuilder(launcher.toString(), "echo").directory(temp.toFile()).start();
        assertThat(node.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).isEqualTo(1);
        List<String> said = new String(node.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(said).hasSize(1);
        assertThat(said.get(0)).contains("is not built yet", "./mvnw -B package -DskipTests");
    }
}
