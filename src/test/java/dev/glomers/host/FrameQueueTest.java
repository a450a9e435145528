package dev.glomers.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The node's outgoing frames: written by the queue's own thread, bounded, and stopping the node's
 * input while a client does not read. "Blocked" is observed as a thread waiting on the queue (its
 * state), never as time passing.
 */
class FrameQueueTest {

    /** A socket whose writes wait until the test opens it, as a client that reads nothing. */
    static final class StalledSocket extends OutputStream {
        final CountDownLatch open = new CountDownLatch(1);
        final ByteArrayOutputStream written = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            try {
                open.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            synchronized (written) {
                written.write(bytes, offset, length);
            }
        }
    }

    @Test
    void framesGoOutWholeAndInOrderEndingWithTheExitStatus() throws Exception {
        StalledSocket socket = new StalledSocket();
        socket.open.countDown();
        FrameQueue queue = new FrameQueue(socket, 1 << 20, Thread::new);
        queue.add(HostProtocol.STDOUT, "out\n".getBytes(StandardCharsets.UTF_8));
        queue.add(HostProtocol.STDERR, "err\n".getBytes(StandardCharsets.UTF_8));
        queue.end(3);

        DataInputStream frames = new DataInputStream(new ByteArrayInputStream(socket.written.toByteArray()));
        assertThat(new String(HostProtocol.readFrame(frames).payload(), StandardCharsets.UTF_8)).isEqualTo("out\n");
        assertThat(HostProtocol.readFrame(frames).channel()).isEqualTo(HostProtocol.STDERR);
        assertThat(HostProtocol.readFrame(frames).status()).isEqualTo(3);
        assertThat(HostProtocol.readFrame(frames)).isNull();
    }

    @Test
    void aClientThatReadsNothingStopsTheNodeFromReadingAndAddingAtTheLimit() throws Exception {
        StalledSocket socket = new StalledSocket();
        int limit = 1000;
        FrameQueue queue = new FrameQueue(socket, limit, Thread::new);
        byte[] line = new byte[95]; // 100 bytes with the frame header
        for (int i = 0; i < 10; i++) {
            queue.add(HostProtocol.STDERR, line); // the first goes to the stalled writer; then the queue fills
        }
        InputStream gated = queue.gate(new ByteArrayInputStream("more input".getBytes(StandardCharsets.UTF_8)));
        Thread producer = new Thread(() -> queue.add(HostProtocol.STDOUT, line), "producer");
        CompletableFuture<Integer> reading = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                reading.complete(gated.read(new byte[100], 0, 100));
            } catch (Exception e) {
                reading.completeExceptionally(e);
            }
        }, "reader");
        producer.start();
        reader.start();
        awaitWaiting(producer);
        awaitWaiting(reader);
        assertThat(queue.queuedBytes()).isLessThanOrEqualTo(limit);
        assertThat(reading).isNotDone();

        socket.open.countDown(); // the client reads again
        assertThat(reading.get(10, TimeUnit.SECONDS)).isEqualTo("more input".length());
        producer.join(10_000);
        assertThat(producer.isAlive()).isFalse();
        queue.end(0);
        assertThat(socket.written.size()).isEqualTo(12 * 100 - 95 + 4); // 11 frames of 100 bytes and the exit frame of 9
    }

    @Test
    void aClientThatIsGoneReleasesEveryoneWaiting() throws Exception {
        OutputStream gone = new OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("broken pipe");
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws java.io.IOException {
                throw new java.io.IOException("broken pipe");
            }
        };
        FrameQueue queue = new FrameQueue(gone, 100, Thread::new);
        for (int i = 0; i < 100; i++) {
            queue.add(HostProtocol.STDOUT, new byte[50]); // returns: frames for a client that is gone are dropped
        }
        queue.end(0);
        assertThat(queue.queuedBytes()).isZero();
    }

    /** issue #21: an adder interrupted while the queue was full used to return without its frame. */
    @Test
    void anAdderInterruptedWhileTheQueueIsFullStillQueuesItsFrameInOrder() throws Exception {
        StalledSocket socket = new StalledSocket();
        FrameQueue queue = new FrameQueue(socket, 100, Thread::new);
        queue.add(HostProtocol.STDOUT, "first\n".getBytes(StandardCharsets.UTF_8)); // taken by the stalled writer
        queue.add(HostProtocol.STDOUT, new byte[80]); // 11 + 85 of 100 bytes: the next frame must wait
        CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
        Thread adder = new Thread(() -> {
            queue.add(HostProtocol.STDOUT, "third\n".getBytes(StandardCharsets.UTF_8));
            stillInterrupted.complete(Thread.currentThread().isInterrupted());
        }, "adder");
        adder.start();
        awaitWaiting(adder);
        adder.interrupt();
        assertThat(stillInterrupted.get(10, TimeUnit.SECONDS)).as("the interrupt is kept for the caller").isTrue();

        socket.open.countDown();
        queue.end(0);
        DataInputStream frames = new DataInputStream(new ByteArrayInputStream(socket.written.toByteArray()));
        assertThat(new String(HostProtocol.readFrame(frames).payload(), StandardCharsets.UTF_8)).isEqualTo("first\n");
        assertThat(HostProtocol.readFrame(frames).payload()).hasSize(80);
        assertThat(new String(HostProtocol.readFrame(frames).payload(), StandardCharsets.UTF_8)).isEqualTo("third\n");
        assertThat(HostProtocol.readFrame(frames).channel()).isEqualTo(HostProtocol.EXIT);
    }

    private static void awaitWaiting(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.WAITING) {
            assertThat(System.nanoTime()).as("%s never waited", thread.getName()).isLessThan(deadline);
            Thread.sleep(1);
        }
    }
}
