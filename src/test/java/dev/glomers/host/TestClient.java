package dev.glomers.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A client of a node host inside the test JVM: the real handshake and {@link HostClient#pump}, with
 * stdin, stdout and stderr as in-memory streams the test writes and reads.
 */
final class TestClient implements AutoCloseable {

    private final HostClient.Connection connection;
    private final PipedOutputStream stdin = new PipedOutputStream();
    private final Collector stdout = new Collector();
    private final Collector stderr = new Collector();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final Upstream upstream;
    private final java.util.concurrent.Semaphore pausedAnswers = new java.util.concurrent.Semaphore(0);

    private TestClient(HostClient.Connection connection) throws IOException {
        this.connection = connection;
        this.upstream = new Upstream(connection.channel());
        PipedInputStream pumpIn = new PipedInputStream(stdin, 1 << 16);
        Thread pump = new Thread(() -> exit.complete(HostClient.pump(connection, upstream, pumpIn, stdout, stderr,
                pausedAnswers::release)), "test-client");
        pump.setDaemon(true);
        pump.start();
    }

    /** Connects to a running host (never starts one) and asks for a node with {@code args}. */
    static TestClient connect(HostPaths paths, String key, String... args) throws IOException {
        HostClient.HostStarter noStarting = hostPaths -> {
            throw new IOException("the test expected a running host");
        };
        HostClient.Connection connection = HostClient.connect(paths, new HostProtocol.Hello(key, List.of(args)),
                noStarting, System.err, Duration.ofSeconds(1));
        return new TestClient(connection);
    }

    void send(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    void endStdin() throws IOException {
        stdin.close();
    }

    /** Waits until stdout holds {@code text}; returns all of stdout. */
    String awaitStdout(String text) throws InterruptedException {
        return stdout.await(text);
    }

    String awaitStderr(String text) throws InterruptedException {
        return stderr.await(text);
    }

    String stderr() {
        return stderr.toString();
    }

    int awaitExit() throws Exception {
        return exit.get(10, TimeUnit.SECONDS);
    }

    /** Asks the host to hold the node and waits for its PAUSED (as a client does before it stops itself). */
    void pause() throws Exception {
        upstream.pause();
        if (!pausedAnswers.tryAcquire(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the host never answered PAUSED");
        }
    }

    void resume() throws IOException {
        upstream.resume();
    }

    /** Drops the connection as a killed process would: no end of stdin, no goodbye. */
    void kill() throws IOException {
        connection.channel().close();
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }

    static String init(String id) {
        return "{\"src\":\"c0\",\"dest\":\"" + id + "\",\"body\":{\"type\":\"init\",\"msg_id\":1,\"node_id\":\"" + id
                + "\",\"node_ids\":[\"" + id + "\"]}}";
    }

    static String echo(String id, int msgId, String text) {
        return "{\"src\":\"c1\",\"dest\":\"" + id + "\",\"body\":{\"type\":\"echo\",\"msg_id\":" + msgId
                + ",\"echo\":\"" + text + "\"}}";
    }

    private static final class Collector extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
            notifyAll();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
            notifyAll();
        }

        @Override
        public synchronized String toString() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        synchronized String await(String text) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!bytes.toString(StandardCharsets.UTF_8).contains(text)) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError("never saw " + text + " in: " + bytes.toString(StandardCharsets.UTF_8));
                }
                wait(left);
            }
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
