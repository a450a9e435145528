package dev.glomers.sim;

import dev.glomers.storage.SyncRunner;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The simulation's {@link SyncRunner}: the batch reaches the {@link SimulatedDisk} at once (unsynced), and
 * the fsync completes a seeded virtual latency later on the node's own loop; so a crash in between loses
 * the batch or tears it, and a paused node's sync waits for its resume.
 */
final class SimulatedSync implements SyncRunner {

    private final ScheduledExecutorService loop;
    private final Random random;
    private final LongSupplier meanLatencyNanos;

    SimulatedSync(ScheduledExecutorService loop, Random random, LongSupplier meanLatencyNanos) {
        this.loop = loop;
        this.random = random;
        this.meanLatencyNanos = meanLatencyNanos;
    }

    @Override
    public void run(Runnable write, Runnable sync, Runnable done, Consumer<RuntimeException> failed) {
        write.run();
        // Uniform in [mean/2, 3 mean/2]: syncs vary, never take zero time, and stay in order (one at a time).
        long mean = meanLatencyNanos.getAsLong();
        long latency = mean / 2 + (long) (random.nextDouble() * mean);
        loop.schedule(() -> {
            sync.run();
            done.run();
        }, latency, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        // the node's loop is shut down with it: a scheduled sync never runs
    }
}
