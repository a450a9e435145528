package dev.glomers.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.ClusterOptions;
import dev.glomers.cluster.ClusterResult;
import dev.glomers.testing.ProductRuns;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code java -jar target/glomers.jar --spring.profiles.active=X}, the command the people we build for
 * use: no JVM flags, another working directory. It attaches to the warm node host by itself, and the
 * standalone node stays one variable or one Spring argument away.
 */
class JarMainIT {

    static final Path JAR = Path.of("target", "glomers.jar").toAbsolutePath();
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    Path temp;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        started.forEach(Process::destroyForcibly);
        NodeHostProcesses.stopHosts(temp.resolve("hosts"));
    }

    /** host: the plain command; env-off: GLOMERS_HOST=off; arg-off: --glomers.host=off. */
    @ParameterizedTest
    @ValueSource(strings = {"host", "env-off", "arg-off"})
    void theJarServesANodeInTheHostOrStandalone(String mode) throws Exception {
        List<String> command = new ArrayList<>(List.of(JAVA, "-Xlog:class+load:file=" + temp.resolve("classes.log"),
                "-jar", JAR.toString(), "--spring.profiles.active=echo"));
        if (mode.equals("arg-off")) {
            command.add("--glomers.host=off");
        }
        ProcessBuilder builder = builder(command, "node");
        if (mode.equals("env-off")) {
            builder.environment().put("GLOMERS_HOST", "off");
        }
        Process node = start(builder);
        try (OutputStream stdin = node.getOutputStream();
             BufferedReader stdout = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            stdin.write((init("n0") + "\n{\"src\":\"c1\",\"dest\":\"n0\",\"body\":{\"type\":\"echo\",\"msg_id\":2,\"echo\":\"jar\"}}\n")
                    .getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            assertThat(stdout.readLine()).isEqualTo("{\"src\":\"n0\",\"dest\":\"c0\",\"body\":{\"type\":\"init_ok\",\"in_reply_to\":1}}");
            assertThat(stdout.readLine()).isEqualTo("{\"src\":\"n0\",\"dest\":\"c1\",\"body\":{\"echo\":\"jar\",\"type\":\"echo_ok\",\"in_reply_to\":2}}");
            assertThat(NodeHostProcesses.pids(temp.resolve("hosts"))).hasSize(mode.equals("host") ? 1 : 0);
            stdin.close();
            assertThat(stdout.readLine()).as("nothing else on stdout").isNull();
        }
        assertThat(node.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).isZero();
        List<String> springClasses = Files.readAllLines(temp.resolve("classes.log")).stream()
                .filter(line -> line.contains("org.springframework")).toList();
        if (mode.equals("host")) {
            assertThat(springClasses).as("classes of Spring loaded by the client process").isEmpty();
            assertThat(Files.readString(temp.resolve("node.err"))).contains("glomers: starting a node host");
        } else {
            assertThat(springClasses).as("the standalone node is Spring Boot").isNotEmpty();
            assertThat(springClasses).as("loaded from the build's extracted jars, not from the nested ones")
                    .anyMatch(line -> line.contains("source: file:" + JAR.resolveSibling("glomers").resolve("lib")))
                    .noneMatch(line -> line.contains(JAR.toString()));
        }
    }

    @Test
    void theJarAndBinGlomersShareOneHostAndANodeThatCannotStartSaysWhy() throws Exception {
        Process launcher = start(builder(ProductRuns.node("no-such-workload"), "launcher"));
        launcher.getOutputStream().close();
        assertThat(launcher.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<Long> hosts = NodeHostProcesses.pids(temp.resolve("hosts"));
        assertThat(hosts).hasSize(1);

        Process jar = start(builder(List.of(JAVA, "-jar", JAR.toString(), "--spring.profiles.active=no-such-workload"), "jar"));
        jar.getOutputStream().close();
        assertThat(jar.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(jar.exitValue()).isEqualTo(1);
        assertThat(jar.getInputStream().readAllBytes()).as("stdout").isEmpty();
        assertThat(Files.readAllLines(temp.resolve("jar.err")))
                .containsExactly("glomers: no workload selected (active profiles: [no-such-workload]); start with "
                        + "--spring.profiles.active=WORKLOAD, one of " + dev.glomers.workload.Workloads.names());
        assertThat(NodeHostProcesses.pids(temp.resolve("hosts"))).as("the same host, still up").isEqualTo(hosts);
    }

    /**
     * Issue 14: the workbench's 3d/3e line with {@code --bin} a script that only execs
     * {@code java -jar}, and the profile after {@code --}: 25 nodes spawned at once all answer init
     * in time, and the run is valid. Shortened for CI (5 s of load, 2 s recovery wait).
     */
    @Test
    void twentyFiveNodesThroughAJavaJarScriptPassTheBroadcastLine() throws Exception {
        Path script = temp.resolve("glomers-node");
        Files.writeString(script, "#!/bin/sh\nexec java -jar " + JAR + " \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        ClusterOptions options = ClusterOptions.parse(new String[] {
                "-w", "broadcast", "--bin", script.toString(), "--node-count", "25", "--time-limit", "5",
                "--rate", "100", "--latency", "100", "--recovery-wait", "2", "--store", temp.resolve("store").toString(),
                "--", "--spring.profiles.active=broadcast"}, ProductRuns.LAUNCHER);
        // The runner spawns the nodes with its own environment: the host directory of this test comes from failsafe's.
        ClusterResult result = ProductRuns.run(options);
        assertThat(result.setupError()).as("every node answered init in time").isNull();
        assertThat(result.verdict()).isEqualTo(Verdict.VALID);
        assertThat(result.serverMsgsPerOp()).as("3d bar: msgs-per-op < 30").isLessThan(30);
    }

    private ProcessBuilder builder(List<String> command, String name) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(temp.toFile());
        Map<String, String> env = builder.environment();
        env.put("GLOMERS_HOST_DIR", temp.resolve("hosts").toString());
        env.put("GLOMERS_HOST_QUIET", "1s");
        env.remove("GLOMERS_HOST");
        return builder.redirectError(temp.resolve(name + ".err").toFile());
    }

    private Process start(ProcessBuilder builder) throws IOException {
        Process process = builder.start();
        started.add(process);
        return process;
    }

    private static String init(String id) {
        return "{\"src\":\"c0\",\"dest\":\"" + id + "\",\"body\":{\"type\":\"init\",\"msg_id\":1,\"node_id\":\"" + id
                + "\",\"node_ids\":[\"" + id + "\"]}}";
    }
}
