package dev.glomers.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Holding a node parks its loop: no timer fires until it is released, then they run again. */
class NodeHoldTest {

    @Test
    void noTimerFiresWhileHeldAndTheyCarryOnAfter() throws Exception {
        ScheduledThreadPoolExecutor loop = new ScheduledThreadPoolExecutor(1);
        ByteArrayOutputStream socket = new ByteArrayOutputStream();
        FrameQueue frames = new FrameQueue(socket, 1 << 20, Thread::new);
        try {
            AtomicInteger ticks = new AtomicInteger();
            CountDownLatch ticking = new CountDownLatch(3);
            loop.scheduleAtFixedRate(() -> {
                ticks.incrementAndGet();
                ticking.countDown();
            }, 0, 2, TimeUnit.MILLISECONDS);
            assertThat(ticking.await(10, TimeUnit.SECONDS)).isTrue();

            NodeHold hold = new NodeHold(loop, frames);
            hold.hold();
            int held = ticks.get();
            Thread.sleep(200); // a hundred periods: not one may fire
            assertThat(ticks.get()).isEqualTo(held);
            long written = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (socket.size() < 5 && System.nanoTime() < written) {
                Thread.sleep(5); // the queue's own thread writes it
            }
            assertThat(socket.toByteArray()).as("PAUSED sent").containsExactly(HostProtocol.PAUSED, 0, 0, 0, 0);

            hold.release();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ticks.get() <= held + 2 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(ticks.get()).isGreaterThan(held + 2);
        } finally {
            loop.shutdownNow();
            frames.close();
        }
    }
}
