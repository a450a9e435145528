package dev.glomers.node;

import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.function.LongSupplier;

/**
 * Where a node's work runs, what time it is, and where its chance comes from: every source of
 * nondeterminism a node has. In production: one thread, the wall clock, an unseeded random. In the
 * deterministic simulation: a virtual-time executor shared by every simulated node and a seeded random,
 * so the same code runs with time that only moves when the simulation says so, the same way each time.
 *
 * @param executor runs every handler, RPC completion and timer of the node, one at a time
 * @param clockMillis the current time in milliseconds since the epoch; never goes back
 * @param random for randomised choices (election timeouts, jitter); used on the event loop only
 */
public record EventLoop(ScheduledExecutorService executor, LongSupplier clockMillis, Random random) {

    /** One thread of its own, and the wall clock made monotonic. */
    public static EventLoop realTime(ThreadFactory threads) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, threads);
        executor.setRemoveOnCancelPolicy(true);
        // Wall-clock aligned at start (broadcast aligns its windows to it across nodes), then as steady
        // as nanoTime: a clock step must never make a deadline jump.
        long startMillis = System.currentTimeMillis();
        long startNanos = System.nanoTime();
        return new EventLoop(executor, () -> startMillis + (System.nanoTime() - startNanos) / 1_000_000, new Random());
    }
}
