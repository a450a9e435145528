package dev.glomers.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * A durable node's storage, from configuration to close: where its data directory is (nothing is touched
 * before {@code init}), then, at {@code init}, the directory locked, its identity checked and its log
 * recovered ({@link #open}). A node without a data directory has no NodeStorage at all.
 */
public final class NodeStorage implements AutoCloseable {

    /**
     * The storage opened at {@code init}: where writes go, what an earlier run of this node left (null on a
     * first start), and this start's run number (1, 2, ... over the directory's life; see RunCounter).
     */
    public record Opened(GroupCommit commit, Stored recovered, long run) {
    }

    /**
     * Zeros written ahead on a disk of the caller's: the simulation's keeps files in memory and copies a
     * file at each sync, so its segments grow in small steps (crossing the end of the zeros often, which
     * its crash tests want anyway) instead of a MiB.
     */
    static final int CALLERS_DISK_PREALLOCATION = 512;

    private final Supplier<Disk> disk;
    private final Supplier<SyncRunner> runners;
    private final int preallocation;
    private GroupCommit opened;
    private boolean closed;

    private NodeStorage(Supplier<Disk> disk, Supplier<SyncRunner> runners, int preallocation) {
        this.disk = disk;
        this.runners = runners;
        this.preallocation = preallocation;
    }

    /** Production: files in {@code directory}, disk work on the node's event loop ({@link EventLoopSync}). */
    public static NodeStorage inDirectory(Path directory) {
        return new NodeStorage(() -> FileDisk.open(directory, FileDisk.LOCK_WAIT), EventLoopSync::new,
                DurableLog.PREALLOCATION);
    }

    /** A disk of the caller's and its runner (the simulation's, in virtual time). */
    public static NodeStorage on(Disk disk, SyncRunner runner) {
        return new NodeStorage(() -> disk, () -> runner, CALLERS_DISK_PREALLOCATION);
    }

    /**
     * Locks and reads the directory for node {@code nodeId} of {@code nodeIds} (the node does this at
     * {@code init}, before anything else). Throws a {@link StorageException} (one line for people) when the
     * directory belongs to another node or cluster, is held by a running node, or is corrupt.
     */
    public synchronized Opened open(String nodeId, List<String> nodeIds) {
        if (closed || opened != null) {
            throw new IllegalStateException(closed ? "the node is closed" : "opened twice");
        }
        Disk directory = disk.get();
        try {
            boolean earlierRun = NodeIdentity.claim(directory, nodeId, nodeIds);
            long run = RunCounter.next(directory);
            DurableLog.Recovered recovered = DurableLog.open(directory, preallocation);
            opened = new GroupCommit(recovered.log(), runners.get());
            return new Opened(opened, earlierRun ? recovered.stored() : null, run);
        } catch (RuntimeException e) {
            directory.close();
            throw e;
        }
    }

    /** Stops the disk work and lets the directory go; nothing is synced after this. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (opened != null) {
            opened.close();
        }
    }
}
