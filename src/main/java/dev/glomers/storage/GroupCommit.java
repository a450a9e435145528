package dev.glomers.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's writes on their way to the disk, used from its event loop. Every write gets a number; one sync
 * at a time runs (on the {@link SyncRunner}) and covers every write taken before it began, so writes made
 * while a sync runs share the next one (group commit). When a sync completes, the listener hears the
 * number of the last write it covered.
 */
public final class GroupCommit implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    private record Write(byte[] bytes, boolean snapshot) {
    }

    private final DurableLog disk;
    private final SyncRunner runner;
    private LongConsumer synced = upTo -> { };
    private List<Write> waiting = new ArrayList<>();
    private long written;
    private boolean syncing;
    private boolean stopped;
    private long syncs;

    public GroupCommit(DurableLog disk, SyncRunner runner) {
        this.disk = disk;
        this.runner = runner;
    }

    /** {@code listener} hears, on the event loop, the number of the last write each completed sync covered. */
    public void onSynced(LongConsumer listener) {
        this.synced = listener;
    }

    /** Takes a record for the log; returns its write number. */
    public long persist(byte[] record) {
        return take(new Write(record.clone(), false));
    }

    /** Takes a snapshot that replaces everything before it; returns its write number. */
    public long snapshot(byte[] state) {
        return take(new Write(state.clone(), true));
    }

    private long take(Write write) {
        if (stopped) {
            throw new StorageException("the storage has stopped; nothing more can be made durable");
        }
        waiting.add(write);
        return ++written;
    }

    /** Whether writes wait for a sync that has not started. */
    public boolean hasWaiting() {
        return !waiting.isEmpty();
    }

    /** Starts a sync of every waiting write unless one is running (the next starts when it completes). */
    public void flush() {
        if (syncing || stopped || waiting.isEmpty()) {
            return;
        }
        List<Write> batch = waiting;
        waiting = new ArrayList<>();
        long covers = written;
        syncing = true;
        runner.run(() -> {
            for (Write write : batch) {
                if (write.snapshot()) {
                    disk.snapshot(write.bytes());
                } else {
                    disk.append(write.bytes());
                }
            }
            disk.write();
        }, disk::sync, () -> {
            syncing = false;
            syncs++;
            synced.accept(covers);
            flush();
        }, failure -> {
            // An fsync that failed cannot be retried safely (the kernel may have dropped the pages): stop, and never
            // acknowledge anything that waited for it.
            stopped = true;
            log.error("storage failed, the node acknowledges nothing durable from now on: {}", failure.toString(), failure);
        });
    }

    /** Completed syncs so far. */
    public long syncs() {
        return syncs;
    }

    @Override
    public void close() {
        stopped = true;
        runner.close();
        disk.close();
    }
}
