package dev.glomers.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;

/**
 * A durable node's storage, from configuration to close: where its data directory is (nothing is touched
 * before {@code init}), then, at {@code init}, the directory locked, its identity checked and its log
 * recovered ({@link #open}). A node without a data directory has no NodeStorage at all.
 */
public final class NodeStorage implements AutoCloseable {

    /** The storage opened at {@code init}: where writes go, and what an earlier run of this node left (null on a first start). */
    public record Opened(GroupCommit commit, Stored recovered) {
    }

    /** Builds the runner of the disk work, given the node's threads and event loop. */
    @FunctionalInterface
    public interface RunnerFactory {
        SyncRunner create(ThreadFactory threads, Executor eventLoop);
    }

    private final Supplier<Disk> disk;
    private final RunnerFactory runners;
    private GroupCommit opened;
    private boolean closed;

    private NodeStorage(Supplier<Disk> disk, RunnerFactory runners) {
        this.disk = disk;
        this.runners = runners;
    }

    /** Production: files in {@code directory}, disk work on a storage thread of the node's own. */
    public static NodeStorage inDirectory(Path directory) {
        return new NodeStorage(() -> FileDisk.open(directory, FileDisk.LOCK_WAIT), StorageThread::new);
    }

    /** A disk of the caller's and its runner (the simulation's, in virtual time). */
    public static NodeStorage on(Disk disk, SyncRunner runner) {
        return new NodeStorage(() -> disk, (threads, loop) -> runner);
    }

    /**
     * Locks and reads the directory for node {@code nodeId} of {@code nodeIds} (the node does this at
     * {@code init}, before anything else). Throws a {@link StorageException} (one line for people) when the
     * directory belongs to another node or cluster, is held by a running node, or is corrupt.
     */
    public synchronized Opened open(String nodeId, List<String> nodeIds, ThreadFactory threads, Executor eventLoop) {
        if (closed || opened != null) {
            throw new IllegalStateException(closed ? "the node is closed" : "opened twice");
        }
        Disk directory = disk.get();
        try {
            boolean earlierRun = NodeIdentity.claim(directory, nodeId, nodeIds);
            DurableLog.Recovered recovered = DurableLog.open(directory);
            opened = new GroupCommit(recovered.log(), runners.create(threads, eventLoop));
            return new Opened(opened, earlierRun ? recovered.stored() : null);
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
