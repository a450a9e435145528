package dev.glomers.storage;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The production {@link SyncRunner}: one thread does the disk work, so the event loop never waits for an fsync. */
public final class StorageThread implements SyncRunner {

    private final ExecutorService thread;
    private final Executor eventLoop;
    private volatile boolean closed;

    public StorageThread(ThreadFactory threads, Executor eventLoop) {
        this.thread = Executors.newSingleThreadExecutor(threads);
        this.eventLoop = eventLoop;
    }

    @Override
    public void run(Runnable write, Runnable sync, Runnable done, Consumer<RuntimeException> failed) {
        thread.execute(() -> {
            Runnable outcome;
            try {
                write.run();
                if (closed) {
                    return; // killed: nothing is synced after close
                }
                sync.run();
                outcome = done;
            } catch (RuntimeException e) {
                outcome = () -> failed.accept(e);
            }
            try {
                eventLoop.execute(outcome);
            } catch (RejectedExecutionException nodeClosed) {
                // the node is gone: nobody waits for this sync any more
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
        try {
            // Wait for a write or fsync under way before the directory is let go, so a next incarnation never overlaps it.
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
