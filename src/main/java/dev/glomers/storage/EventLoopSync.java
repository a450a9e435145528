package dev.glomers.storage;

import java.util.function.Consumer;

/**
 * The production {@link SyncRunner}: the write and the fsync run in line, on the node's event loop, which
 * calls {@link #run} (the driver queues each flush behind the input already waiting there).
 *
 * <p>Why not a thread of its own: while a sync runs, persist before send holds every message the node
 * could send anyway, and input that arrives meanwhile waits on the event loop and joins the next sync, so
 * group commit loses nothing. A storage thread only overlapped that input's decoding with the fsync, and
 * cost two thread hand-offs per sync (wake the storage thread, then wake the event loop back), which on
 * this machine cost more CPU than the fdatasync itself (docs/cores.md, What a data directory costs).
 * What it gives up: timers and input wait for an fsync in progress (median 0.2-0.4 ms here).
 */
public final class EventLoopSync implements SyncRunner {

    /** Held during the disk work, so {@link #close} waits for a write or fsync under way. */
    private final Object diskWork = new Object();
    private boolean closed;

    @Override
    public void run(Runnable write, Runnable sync, Runnable done, Consumer<RuntimeException> failed) {
        RuntimeException failure = null;
        synchronized (diskWork) {
            if (closed) {
                return; // killed: nothing is written or synced after close
            }
            try {
                write.run();
                sync.run();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        if (failure == null) {
            done.run();
        } else {
            failed.accept(failure);
        }
    }

    /** From any thread: waits for disk work under way (so a next incarnation never overlaps it), then refuses more. */
    @Override
    public void close() {
        synchronized (diskWork) {
            closed = true;
        }
    }
}
