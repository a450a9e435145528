package dev.glomers.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.testing.ProductRuns;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fuzz run of {@link FuzzRun} through real processes, as the workbench spawns nodes:
 * bin/glomers standalone ({@code off}), in the node host through the Perl forwarder ({@code perl})
 * and through the Java client ({@code java}). 100,000 lines each: echo (1 MB answers) in all three
 * paths, and g-counter (service replies flowing back while the junk still comes) through the Perl
 * forwarder, the default path (CI's time budget; any other combination runs the same way). In the host
 * paths a second node on the same host serves before and after, and the host stays the same
 * process. {@link FuzzInProcessTest} covers every profile in process.
 */
class FuzzIT {

    /** One host directory for the class: the runs share a warm host, and it must survive them all. */
    @TempDir
    static Path hostDir;

    @TempDir
    Path temp;

    private Process fuzzed;
    private Process bystander;

    @AfterEach
    void stop() throws IOException {
        for (Process process : new Process[] {fuzzed, bystander}) {
            if (process != null) {
                process.destroyForcibly();
            }
        }
    }

    @AfterAll
    static void stopHost() throws IOException {
        for (long pid : hostPids()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @ParameterizedTest(name = "{0} through {1}")
    @CsvSource({"echo, off", "echo, perl", "echo, java", "g-counter, perl"})
    void aNodeSurvivesTheFuzzInputAndSoDoTheHostAndItsOtherNodes(String profile, String path) throws Exception {
        boolean hosted = !path.equals("off");
        BufferedReader bystanderOut = null;
        List<Long> hosts = List.of();
        if (hosted) {
            bystander = launch("echo", path, "bystander");
            bystanderOut = new BufferedReader(new InputStreamReader(bystander.getInputStream(), StandardCharsets.UTF_8));
            send(bystander, "{\"src\":\"c0\",\"dest\":\"n9\",\"body\":{\"type\":\"init\",\"msg_id\":1,\"node_id\":\"n9\",\"node_ids\":[\"n9\"]}}");
            assertThat(bystanderOut.readLine()).contains("init_ok");
            hosts = hostPids();
            assertThat(hosts).hasSize(1);
        }

        FuzzRun run = new FuzzRun(profile, FuzzRun.seed(), FuzzRun.lines());
        fuzzed = launch(profile, path, "fuzzed");
        Process node = fuzzed;
        long millis = run.run(new FuzzRun.Node() {
            @Override
            public OutputStream stdin() {
                return node.getOutputStream();
            }

            @Override
            public InputStream stdout() {
                return node.getInputStream();
            }
        });
        assertThat(fuzzed.waitFor(5, TimeUnit.SECONDS)).as("%s: exits when its stdin ends", run.describe()).isTrue();
        assertThat(fuzzed.exitValue()).isZero();
        String stderr = Files.readString(temp.resolve("fuzzed.err"));
        assertThat(stderr.lines().filter(line -> line.contains("ignored a line that is not a message")).count())
                .as("bad lines logged in full (then counted)").isLessThanOrEqualTo(5 * (1 + millis / 1000));
        System.out.printf("fuzz through %s: %s in %d ms, %d lines out, %d lines of stderr%n",
                path, run.describe(), millis, run.outputLines(), stderr.lines().count());

        if (hosted) {
            send(bystander, "{\"src\":\"c1\",\"dest\":\"n9\",\"body\":{\"type\":\"echo\",\"msg_id\":2,\"echo\":\"after\"}}");
            assertThat(bystanderOut.readLine()).contains("\"echo\":\"after\"", "echo_ok");
            assertThat(hostPids()).as("the same host carries on").isEqualTo(hosts);
            bystander.getOutputStream().close();
            assertThat(bystander.waitFor(5, TimeUnit.SECONDS)).isTrue();
            assertThat(bystander.exitValue()).isZero();
        }
    }

    private Process launch(String profile, String path, String name) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(ProductRuns.node(profile)).directory(temp.toFile());
        Map<String, String> env = builder.environment();
        env.put("GLOMERS_HOST_DIR", hostDir.toString());
        env.put("GLOMERS_HOST_QUIET", "10s");
        env.put(path.equals("off") ? "GLOMERS_HOST" : "GLOMERS_CLIENT", path);
        return builder.redirectError(temp.resolve(name + ".err").toFile()).start();
    }

    private static void send(Process process, String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    private static List<Long> hostPids() throws IOException {
        Path hosts = hostDir;
        if (!Files.isDirectory(hosts)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(hosts)) {
            return files.filter(file -> file.toString().endsWith(".pid")).map(file -> {
                try {
                    return Long.parseLong(Files.readString(file).trim());
                } catch (IOException | NumberFormatException gone) {
                    return -1L;
                }
            }).filter(pid -> pid > 0).toList();
        }
    }
}
