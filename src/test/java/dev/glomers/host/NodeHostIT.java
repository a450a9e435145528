package dev.glomers.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.testing.ProductRuns;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * target/glomers.jar through bin/glomers as the workbench runs it: real processes started from
 * another working directory, each test with its own host directory and a 1 s quiet period, so no
 * host outlives the test (and any left over is stopped after it).
 */
class NodeHostIT {

    @TempDir
    Path temp;

    @AfterEach
    void stopLeftoverHosts() throws IOException {
        NodeHostProcesses.stopHosts(temp.resolve("hosts"));
    }

    /**
     * perl: the default Perl forwarder; java: the JVM thin client; off: the standalone one-JVM node
     * (GLOMERS_HOST=off); arg-off: the same asked for by the Spring argument --glomers.host=off.
     */
    @ParameterizedTest
    @ValueSource(strings = {"perl", "java", "off", "arg-off"})
    void aNodeAnswersInitAndEchoFromAnotherWorkingDirectory(String mode) throws Exception {
        Process node = launch(mode, "echo");
        try (OutputStream stdin = node.getOutputStream();
             BufferedReader stdout = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            stdin.write((init("n0") + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            assertThat(stdout.readLine()).isEqualTo("{\"src\":\"n0\",\"dest\":\"c0\",\"body\":{\"type\":\"init_ok\",\"in_reply_to\":1}}");
            stdin.write(("{\"src\":\"c1\",\"dest\":\"n0\",\"body\":{\"type\":\"echo\",\"msg_id\":2,\"echo\":\"über\"}}\n")
                    .getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            assertThat(stdout.readLine()).isEqualTo("{\"src\":\"n0\",\"dest\":\"c1\",\"body\":{\"echo\":\"über\",\"type\":\"echo_ok\",\"in_reply_to\":2}}");
            List<Long> hosts = hostPids();
            assertThat(hosts).hasSize(mode.endsWith("off") ? 0 : 1);
            stdin.close();
            assertThat(stdout.readLine()).as("nothing else on stdout").isNull();
            assertThat(node.waitFor(10, TimeUnit.SECONDS)).as("the node exits when its stdin ends").isTrue();
            assertThat(node.exitValue()).isZero();
            for (long host : hosts) {
                assertExitsWithin(host, 10);
            }
        } finally {
            node.destroyForcibly();
        }
        String stderr = Files.readString(temp.resolve("stderr-0.log"));
        assertThat(stderr).doesNotContain("Exception");
        if (!mode.endsWith("off")) {
            assertThat(stderr).contains("glomers: starting a node host");
        }
    }

    @Test
    void twentyFiveNodesArrivingAtOnceStartOneHostAndAllServe() throws Exception {
        List<Process> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 25; i++) {
                nodes.add(launch("perl", "echo"));
            }
            for (int i = 0; i < nodes.size(); i++) {
                String id = "n" + i;
                OutputStream stdin = nodes.get(i).getOutputStream();
                stdin.write((init(id) + "\n" + "{\"src\":\"c1\",\"dest\":\"" + id
                        + "\",\"body\":{\"type\":\"echo\",\"msg_id\":2,\"echo\":\"" + id + "\"}}\n").getBytes(StandardCharsets.UTF_8));
                stdin.flush();
            }
            for (int i = 0; i < nodes.size(); i++) {
                BufferedReader stdout = new BufferedReader(new InputStreamReader(nodes.get(i).getInputStream(), StandardCharsets.UTF_8));
                assertThat(stdout.readLine()).contains("init_ok");
                assertThat(stdout.readLine()).contains("\"echo\":\"n" + i + "\"", "echo_ok");
            }
            List<Long> hosts = hostPids();
            assertThat(hosts).hasSize(1);
            long starts = 0;
            for (int i = 0; i < nodes.size(); i++) {
                starts += Files.readString(temp.resolve("stderr-" + i + ".log")).lines()
                        .filter(line -> line.contains("starting a node host")).count();
            }
            assertThat(starts).as("clients that started a host").isEqualTo(1);
            try (Stream<Path> logs = Files.list(temp.resolve("hosts"))) {
                String hostLog = Files.readString(logs.filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow());
                assertThat(hostLog.lines().filter(line -> line.contains("ready on")).count()).isEqualTo(1);
            }
            // Killed clients (as the workbench ends a test): their nodes close, and the host goes after its quiet period.
            nodes.forEach(Process::destroyForcibly);
            assertExitsWithin(hosts.get(0), 10);
        } finally {
            nodes.forEach(Process::destroyForcibly);
        }
    }

    @Test
    void aNodeThatCannotStartSaysWhyOnItsOwnStderr() throws Exception {
        Process node = launch("perl", "no-such-workload");
        node.getOutputStream().close();
        assertThat(node.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).isEqualTo(1);
        assertThat(node.getInputStream().readAllBytes()).as("stdout").isEmpty();
        assertThat(Files.readString(temp.resolve("stderr-0.log"))).contains("no workload selected");
    }

    private int launched;

    private Process launch(String mode, String profiles) throws IOException {
        Path elsewhere = Files.createDirectories(temp.resolve("cwd"));
        List<String> command = new ArrayList<>(List.of(ProductRuns.LAUNCHER.toString(), profiles));
        if (mode.equals("arg-off")) {
            command.add("--glomers.host=off");
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(elsewhere.toFile());
        Map<String, String> env = builder.environment();
        env.put("GLOMERS_HOST_DIR", temp.resolve("hosts").toString());
        env.put("GLOMERS_HOST_QUIET", "1s");
        if (mode.equals("off")) {
            env.put("GLOMERS_HOST", "off");
        } else if (!mode.equals("arg-off")) {
            env.put("GLOMERS_CLIENT", mode);
        }
        builder.redirectError(temp.resolve("stderr-" + launched++ + ".log").toFile());
        return builder.start();
    }

    private List<Long> hostPids() throws IOException {
        return NodeHostProcesses.pids(temp.resolve("hosts"));
    }

    private static void assertExitsWithin(long pid, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .as("host %d exited after its quiet period", pid).isFalse();
    }

    private static String init(String id) {
        return "{\"src\":\"c0\",\"dest\":\"" + id + "\",\"body\":{\"type\":\"init\",\"msg_id\":1,\"node_id\":\"" + id
                + "\",\"node_ids\":[\"" + id + "\"]}}";
    }
}
