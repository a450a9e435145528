package dev.glomers.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The standalone node's output: bounded like the host's, so a reader that stops reading stops the node. */
class LineWriterTest {

    /** An stdout nobody reads until {@link #open} is counted down. */
    private static final class StalledStdout extends OutputStream {
        final CountDownLatch open = new CountDownLatch(1);
        final CompletableFuture<Thread> blockedWriter = new CompletableFuture<>();
        final ByteArrayOutputStream written = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            try {
                if (open.getCount() > 0) {
                    blockedWriter.complete(Thread.currentThread());
                }
                open.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (written) {
                written.write(bytes, offset, length);
            }
        }
    }

    @Test
    void aStdoutNobodyReadsStopsTheWritersAndTheInputAtTheLimit() throws Exception {
        StalledStdout stdout = new StalledStdout();
        int limit = 1000;
        String line = "x".repeat(100); // the queue counts 100 for each, so it fills to exactly the limit
        int lines = 3000; // far more than the limit holds, and than the writer's own buffer (64 K characters)
        CountDownLatch producerHeld = new CountDownLatch(1);
        CountDownLatch inputHeld = new CountDownLatch(1);
        try (LineWriter writer = new LineWriter(stdout, limit, Thread::new)) {
            writer.watchWaits(wait -> (wait == LineWriter.Wait.LINE ? producerHeld : inputHeld).countDown());
            // A line alone is flushed at once, so the writer thread is stuck in stdout from here on, holding
            // that line: nothing leaves the queue until stdout is read again.
            writer.write(line);
            stdout.blockedWriter.get(10, TimeUnit.SECONDS);
            CompletableFuture<Void> produced = CompletableFuture.runAsync(() -> {
                for (int i = 1; i < lines; i++) {
                    writer.write(line);
                }
            });
            assertThat(producerHeld.await(10, TimeUnit.SECONDS)).as("the producer never waited").isTrue();
            assertThat(writer.queuedChars()).isEqualTo(limit);
            assertThat(produced).isNotDone();

            InputStream gated = writer.gate(new ByteArrayInputStream("more input".getBytes(StandardCharsets.UTF_8)));
            CompletableFuture<Integer> reading = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try {
                    reading.complete(gated.read(new byte[100], 0, 100));
                } catch (Exception e) {
                    reading.completeExceptionally(e);
                }
            }, "reader");
            reader.start();
            assertThat(inputHeld.await(10, TimeUnit.SECONDS)).as("the input was never held").isTrue();
            assertThat(reading).isNotDone();

            stdout.open.countDown(); // stdout is read again
            produced.get(10, TimeUnit.SECONDS);
            assertThat(reading.get(10, TimeUnit.SECONDS)).isEqualTo("more input".length());
        }
        assertThat(stdout.written.toString(StandardCharsets.UTF_8)).isEqualTo((line + "\n").repeat(lines));
    }

    @Test
    void aLineLongerThanTheLimitStillGoesThroughAlone() {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        String big = "y".repeat(5000);
        try (LineWriter writer = new LineWriter(stdout, 100, Thread::new)) {
            writer.write("a");
            writer.write(big);
            writer.write("b");
        }
        assertThat(stdout.toString(StandardCharsets.UTF_8)).isEqualTo("a\n" + big + "\nb\n");
    }

    @Test
    void aBrokenStdoutReleasesEveryoneAndDropsTheRest() {
        OutputStream gone = new OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("broken pipe");
            }
        };
        try (LineWriter writer = new LineWriter(gone, 100, Thread::new)) {
            for (int i = 0; i < 1000; i++) {
                writer.write("z".repeat(50)); // returns every time: lines for a closed stdout are dropped
            }
        }
    }
}
