package dev.glomers.sim;

import dev.glomers.node.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Time that moves only when the simulation runs it: one queue of tasks ordered by (due time, order of
 * scheduling), run one at a time on the caller's thread. Every simulated node gets an
 * {@link ScheduledExecutorService} view of it ({@link #loop}), so the shipped runtime, Resilience4j
 * and the cores run unchanged, and a run is a pure function of its seed.
 */
public final class VirtualTime {

    /** The epoch of virtual time: an ordinary wall-clock instant, so clock-aligned windows behave as in production. */
    public static final long START_MILLIS = 1_700_000_000_000L;

    private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
    private long nowNanos;
    private long scheduled;

    /** Milliseconds since the epoch, as a node's clock reads them. */
    public long millis() {
        return START_MILLIS + nowNanos / 1_000_000;
    }

    /** Nanoseconds since the simulation began. */
    public long elapsedNanos() {
        return nowNanos;
    }

    /** A node's event loop on this time, its chance seeded with {@code seed}. Shutting it down (closing the node) drops its tasks, not the others'. */
    public EventLoop loop(long seed) {
        return new EventLoop(new Executor(), this::millis, new java.util.Random(seed));
    }

    /** Schedules a task of the simulation itself (message delivery, client operations, faults). */
    public void at(long delayNanos, Runnable task) {
        enqueue(new Task<>(null, task, null, nowNanos + Math.max(0, delayNanos), 0));
    }

    /** Runs every task due within {@code nanos} from now, in order; time ends exactly there. */
    public void runFor(long nanos) {
        runUntil(nowNanos + nanos);
    }

    public void runUntil(long endNanos) {
        while (!queue.isEmpty() && queue.peek().dueNanos <= endNanos) {
            Task<?> task = queue.poll();
            nowNanos = Math.max(nowNanos, task.dueNanos);
            if (task.owner != null && task.owner.shutdown) {
                continue;
            }
            if (task.owner != null && task.owner.paused) {
                task.owner.deferred.add(task); // a stopped process: its work waits, in order, for the resume
                continue;
            }
            task.run();
        }
        nowNanos = Math.max(nowNanos, endNanos);
    }

    /**
     * Stops a node's loop as SIGSTOP stops a process: nothing of it runs (input, timers, syncs) until
     * {@link #resume}; what falls due meanwhile waits, in order.
     */
    public void pause(EventLoop loop) {
        ((Executor) loop.executor()).paused = true;
    }

    /** Runs what waited during the pause, in its order, from now (the node's clock has jumped), then the rest as due. */
    public void resume(EventLoop loop) {
        Executor executor = (Executor) loop.executor();
        executor.paused = false;
        for (Task<?> task : executor.deferred) {
            if (!task.isCancelled()) {
                task.dueNanos = Math.max(task.dueNanos, nowNanos);
                enqueue(task);
            }
        }
        executor.deferred.clear();
    }

    /** Tasks still queued, including periodic ones (tests check that idle nodes schedule nothing busy). */
    public int pending() {
        return queue.size();
    }

    private void enqueue(Task<?> task) {
        task.order = scheduled++;
        queue.add(task);
    }

    private final class Task<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {
        private final Executor owner;
        private final long periodNanos;
        private long dueNanos;
        private long order;

        Task(Executor owner, Runnable runnable, V result, long dueNanos, long periodNanos) {
            super(runnable, result);
            this.owner = owner;
            this.dueNanos = dueNanos;
            this.periodNanos = periodNanos;
        }

        Task(Executor owner, Callable<V> callable, long dueNanos) {
            super(callable);
            this.owner = owner;
            this.dueNanos = dueNanos;
            this.periodNanos = 0;
        }

        @Override
        public boolean isPeriodic() {
            return periodNanos != 0;
        }

        @Override
        public void run() {
            if (!isPeriodic()) {
                super.run();
            } else if (runAndReset()) {
                dueNanos = periodNanos > 0 ? dueNanos + periodNanos : nowNanos - periodNanos;
                enqueue(this);
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                queue.remove(this);
            }
            return cancelled;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - nowNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            Task<?> that = (Task<?>) other;
            int byTime = Long.compare(dueNanos, that.dueNanos);
            return byTime != 0 ? byTime : Long.compare(order, that.order);
        }
    }

    /** One node's view: its tasks go into the shared queue; shutting it down only silences its own. */
    private final class Executor extends AbstractExecutorService implements ScheduledExecutorService {
        private boolean shutdown;
        private boolean paused;
        private final List<Task<?>> deferred = new ArrayList<>();

        private <V> Task<V> submitTask(Task<V> task) {
            if (shutdown) {
                throw new RejectedExecutionException("node closed");
            }
            enqueue(task);
            return task;
        }

        @Override
        public void execute(Runnable command) {
            submitTask(new Task<>(this, command, null, nowNanos, 0));
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            return submitTask(new Task<>(this, command, null, nowNanos + Math.max(0, unit.toNanos(delay)), 0));
        }

        @Override
        public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
            return submitTask(new Task<>(this, callable, nowNanos + Math.max(0, unit.toNanos(delay))));
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
            return submitTask(new Task<>(this, command, null, nowNanos + unit.toNanos(initialDelay), unit.toNanos(period)));
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
            // A negative period marks "fixed delay": the next run is due that long after this one.
            return submitTask(new Task<>(this, command, null, nowNanos + unit.toNanos(initialDelay), -unit.toNanos(delay)));
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return new ArrayList<>();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return shutdown;
        }
    }
}
