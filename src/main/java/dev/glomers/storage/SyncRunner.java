package dev.glomers.storage;

/**
 * Where a node's disk work runs. In production in line on the node's event loop ({@link EventLoopSync});
 * in the simulation the node's own virtual-time loop, a sync taking a seeded virtual latency.
 */
public interface SyncRunner extends AutoCloseable {

    /**
     * Runs {@code write} (the batch reaches the disk, not yet durable) then {@code sync} (one fsync), then
     * {@code done} on the node's event loop. If either fails, {@code failed} runs on the event loop instead.
     * Called again only after {@code done} or {@code failed} ran.
     */
    void run(Runnable write, Runnable sync, Runnable done, java.util.function.Consumer<RuntimeException> failed);

    /** Stops: nothing runs after this returns, and a sync under way is abandoned or finished before it does. */
    @Override
    void close();
}
