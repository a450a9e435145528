package dev.glomers.host;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The pause fault in the host: holds a node by parking its event loop's only thread in a task of its own,
 * so no handler, reply or timer runs until released (due timers run late, and the clock has jumped, as
 * after SIGSTOP). The node's input stops too: the thread that reads it is the one that waits here for the
 * next frame, RESUME. Holding answers the client PAUSED once the loop is parked, not before, so the client
 * stops itself only when the node is still.
 */
final class NodeHold implements ClientInput.Holder {

    private final Executor loop;
    private final FrameQueue frames;
    private CountDownLatch release;

    NodeHold(Executor loop, FrameQueue frames) {
        this.loop = loop;
        this.frames = frames;
    }

    @Override
    public synchronized void hold() throws IOException {
        if (release != null) {
            return; // already held
        }
        CountDownLatch parked = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        release = released;
        try {
            loop.execute(() -> {
                parked.countDown();
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // the node is closing
                }
            });
            parked.await();
        } catch (RejectedExecutionException closed) {
            // the node is closing: nothing runs anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while pausing the node");
        }
        frames.add(HostProtocol.PAUSED, new byte[0]);
    }

    @Override
    public synchronized void release() {
        if (release != null) {
            release.countDown();
            release = null;
        }
    }
}
