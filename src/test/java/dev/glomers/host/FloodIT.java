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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 15: input that makes a node log while more input is still arriving, through bin/glomers
 * in each of its paths (perl, java: host with either client; off: standalone) and through
 * {@code java -jar target/glomers.jar} (jar: its own client, in the host). A node host used to wedge on it (the forwarder blocked writing stdin while
 * the host blocked writing the warning back); now every path answers the final echo within 5 s.
 */
class FloodIT {

    /** One host directory for the class: the runs share a warm host, as nodes of one test would. */
    @TempDir
    static Path hosts;

    @TempDir
    Path temp;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(Process::destroyForcibly);
    }

    @AfterAll
    static void stopHost() throws IOException {
        NodeHostProcesses.stopHosts(hosts);
    }

    /**
     * not-json: lines that are no message, the input (100,000 of them: the 20,000 of the
     * report fit in this machine's socket buffers, which hid the wait). no-msg-id: requests of an
     * unknown type without msg_id, which the node cannot answer; it warns about the first few and
     * then counts them. late-reply: replies to requests never sent, each of which the node logs at
     * DEBUG (the level of these runs) from its event loop, so several MB of stderr go back while
     * stdin still comes: the circular wait of the report, through the host's two kinds of client
     * (the jar's is the Java client's code).
     */
    @ParameterizedTest(name = "{0} lines of {1} through {2}")
    @CsvSource({
            "100000, not-json, perl", "100000, not-json, java", "100000, not-json, off", "100000, not-json, jar",
            "20000, no-msg-id, perl", "20000, late-reply, perl", "20000, late-reply, java"})
    void aFloodOfWarningsThenAnEchoIsAnsweredWithinFiveSeconds(int lines, String kind, String path) throws Exception {
        String bad = switch (kind) {
            case "not-json" -> "not json";
            case "no-msg-id" -> "{\"src\":\"c9\",\"dest\":\"n0\",\"body\":{\"type\":\"nosuch\"}}";
            default -> "{\"src\":\"c9\",\"dest\":\"n0\",\"body\":{\"type\":\"nosuch_ok\",\"in_reply_to\":7}}";
        };
        StringBuilder input = new StringBuilder(lines * (bad.length() + 1) + 300);
        input.append(init()).append('\n');
        for (int i = 0; i < lines; i++) {
            input.append(bad).append('\n');
        }
        input.append("{\"src\":\"c1\",\"dest\":\"n0\",\"body\":{\"type\":\"echo\",\"msg_id\":2,\"echo\":\"still here\"}}\n");

        warmHost(path);
        Process node = launch(path, "flood");
        long start = System.nanoTime();
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try (OutputStream stdin = node.getOutputStream()) {
                stdin.write(input.toString().getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        CompletableFuture<List<String>> reading = CompletableFuture.supplyAsync(() -> readLines(node));
        List<String> stdout;
        try {
            stdout = reading.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException wedged) {
            throw new AssertionError(path + ": no answer within 5 s; stderr ends: " + tail(temp.resolve("flood.err")));
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        writing.get(1, TimeUnit.SECONDS);
        assertThat(stdout).containsExactly(
                "{\"src\":\"n0\",\"dest\":\"c0\",\"body\":{\"type\":\"init_ok\",\"in_reply_to\":1}}",
                "{\"src\":\"n0\",\"dest\":\"c1\",\"body\":{\"echo\":\"still here\",\"type\":\"echo_ok\",\"in_reply_to\":2}}");
        assertThat(node.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).isZero();
        String stderr = Files.readString(temp.resolve("flood.err"));
        if (kind.equals("not-json")) {
            assertThat(stderr.lines().filter(line -> line.contains("ignored a line that is not a message")).count())
                    .as("bad lines logged in full").isLessThanOrEqualTo(5);
        } else if (kind.equals("no-msg-id")) {
            assertThat(stderr.lines().filter(line -> line.contains("cannot answer nosuch")).count())
                    .as("unanswerable requests logged in full").isLessThanOrEqualTo(5);
        } else {
            assertThat(stderr.lines().filter(line -> line.contains("late reply nosuch_ok")).count())
                    .as("every debug line reached the node's stderr").isEqualTo(lines);
        }
        System.out.printf("%s %s through %s: %d ms%n", lines, kind, path, millis);
    }

    /** A host up before the timed run, so the 5 s measure the flood, not a host's start. */
    private void warmHost(String path) throws Exception {
        if (path.equals("off")) {
            return;
        }
        Process warm = launch(path, "warm");
        warm.getOutputStream().close();
        assertThat(warm.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    private static List<String> readLines(Process node) {
        try (BufferedReader stdout = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            return stdout.lines().toList();
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private Process launch(String path, String name) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(path.equals("jar")
                ? List.of(JarMainIT.JAVA, "-jar", JarMainIT.JAR.toString(), "--spring.profiles.active=echo")
                : ProductRuns.node("echo")).directory(temp.toFile());
        Map<String, String> env = builder.environment();
        env.put("GLOMERS_HOST_DIR", hosts.toString());
        env.put("GLOMERS_HOST_QUIET", "10s");
        env.put("GLOMERS_LOG_LEVEL", "DEBUG"); // the class's own host, so its nodes log every late reply
        if (path.equals("off")) {
            env.put("GLOMERS_HOST", "off");
        } else if (!path.equals("jar")) {
            env.put("GLOMERS_CLIENT", path);
        }
        builder.redirectError(temp.resolve(name + ".err").toFile());
        Process process = builder.start();
        started.add(process);
        return process;
    }

    private static String tail(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }

    private static String init() {
        return "{\"src\":\"c0\",\"dest\":\"n0\",\"body\":{\"type\":\"init\",\"msg_id\":1,\"node_id\":\"n0\",\"node_ids\":[\"n0\"]}}";
    }
}
