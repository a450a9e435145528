package dev.glomers.node;

import dev.glomers.storage.GroupCommit;
import dev.glomers.storage.NodeStorage;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Supplier;

/**
 * The one driver of every {@link Core}: it takes the node's messages to the core, turns time into
 * ticks, and performs the effects the core asks for. It runs on the node's event loop, so it reads the
 * node's clock ({@link Node#now()}), which in the simulation is virtual time.
 *
 * <p>A workload's Spring bean is then only wiring:
 * <pre>
 * public BroadcastWorkload(Node node, BroadcastProperties settings, Retries retries) {
 *     CoreDriver.drive(node, () -> new BroadcastCore(node.id(), node.nodeIds(), settings, ...));
 * }
 * </pre>
 *
 * <p>Durability (only on a node with a data directory): at {@code init}, once the node opened its
 * storage ({@link Node}), the driver hands the core what an earlier run synced ({@link Core#recover}), then starts it. Persist before
 * send: after a {@link #persist} or {@link #snapshot}, every message the core asks for (in that step or a
 * later one) is held, in order, until the sync covering that write completes; one sync serves every write
 * waiting when it starts (group commit). A sync starts only once the input already queued on the event loop
 * has been handled, so the steps of a burst (inputs that arrived together) share one.
 */
public final class CoreDriver implements Effects {

    private final Node node;
    private Core core;
    private ScheduledFuture<?> tick;
    private long tickAt = Long.MAX_VALUE;

    // Durable nodes only; all stay null / zero in memory.
    private GroupCommit storage;
    private ArrayDeque<HeldMessage> held;
    private long lastWrite;
    private long synced;
    private boolean flushQueued;

    /** A message that may leave only once write number {@code waitsFor} is synced. */
    private record HeldMessage(long waitsFor, Runnable send) {
    }

    private CoreDriver(Node node) {
        this.node = node;
    }

    /**
     * Builds the core when {@code init} arrives (the node knows its id and the cluster then) and from
     * then on gives it every message that no typed handler of the node takes. Returns the driver (tests
     * look at {@link #syncs()}).
     */
    public static CoreDriver drive(Node node, Supplier<? extends Core> coreAtInit) {
        CoreDriver driver = new CoreDriver(node);
        node.onInit(() -> driver.init(coreAtInit));
        node.handleOthers((message, same) -> driver.step(message, () -> driver.core.receive(message, node.now(), driver)));
        return driver;
    }

    private void init(Supplier<? extends Core> coreAtInit) {
        NodeStorage.Opened opened = node.storage();
        if (opened != null) {
            storage = opened.commit();
            storage.onSynced(this::synced);
            held = new ArrayDeque<>();
        }
        Core built = coreAtInit.get();
        if (opened != null && opened.recovered() != null) {
            built.recover(opened.recovered());
        }
        core = built;
        step(null, () -> core.start(node.now(), this));
    }

    /**
     * Runs one call into the core; whatever it throws goes on to the node (which answers with it), after the
     * next tick is set, unless messages are held: then the answer waits in line behind them.
     */
    private void step(Message request, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException failure) {
            if (request == null || !holding()) {
                throw failure;
            }
            hold(() -> node.replyError(request, failure));
        } finally {
            if (storage != null && storage.hasWaiting()) {
                flushAfterQueuedInput();
            }
            scheduleTick();
        }
    }

    /**
     * Group commit across a burst: the sync starts behind the input already queued on the event loop (it runs
     * first, its writes join the same sync), not after the first step that wrote. Nothing waits longer than
     * that queue: what arrives later queues behind this flush.
     */
    private void flushAfterQueuedInput() {
        if (flushQueued) {
            return;
        }
        flushQueued = true;
        try {
            node.execute(() -> {
                flushQueued = false;
                storage.flush();
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the node was killed during this step: nothing is synced after that
        }
    }

    private void scheduleTick() {
        // Any time up to now means "as soon as possible"; clamped, so no wake (Long.MIN_VALUE included) overflows the delay.
        long now = node.now();
        long wake = Math.max(core.wakeAt(), now);
        if (wake >= tickAt) {
            return; // a tick comes earlier anyway; the core asks again after it
        }
        if (tick != null) {
            tick.cancel(false);
        }
        tickAt = wake;
        tick = node.after(java.time.Duration.ofMillis(wake - now), this::tick);
    }

    private void tick() {
        tick = null;
        tickAt = Long.MAX_VALUE;
        long now = node.now();
        step(null, () -> core.tick(now, this));
        if (tickAt <= now) {
            // A core that asks for "now" again right after a tick at now would spin: the next tick waits 1 ms.
            tick.cancel(false);
            tickAt = now + 1;
            tick = node.after(java.time.Duration.ofMillis(1), this::tick);
        }
    }

    // ---- persist before send ----------------------------------------------------------------

    /** Whether a write is not yet synced: then every message waits its turn. */
    private boolean holding() {
        return lastWrite > synced;
    }

    private void out(Runnable send) {
        if (holding()) {
            hold(send);
        } else {
            send.run();
        }
    }

    private void hold(Runnable send) {
        held.add(new HeldMessage(lastWrite, send));
    }

    /** On the event loop: a sync covering writes up to {@code upTo} completed; what waited for them leaves, in order. */
    private void synced(long upTo) {
        synced = upTo;
        while (!held.isEmpty() && held.peek().waitsFor() <= synced) {
            held.poll().send().run();
        }
    }

    /** Syncs completed so far (0 in memory); tests count group commit with it. */
    public long syncs() {
        return storage == null ? 0 : storage.syncs();
    }

    // ---- effects --------------------------------------------------------------------------

    @Override
    public void send(String dest, Body body) {
        out(() -> node.send(dest, body));
    }

    @Override
    public void reply(Message request, Body body) {
        out(() -> node.reply(request, body));
    }

    @Override
    public void fail(Message request, RpcError error) {
        out(() -> node.replyError(request, error));
    }

    @Override
    public long request(String dest, Body body) {
        if (!holding()) {
            return node.request(dest, body);
        }
        long msgId = node.nextMsgId();
        hold(() -> node.request(dest, body, msgId));
        return msgId;
    }

    @Override
    public boolean durable() {
        return storage != null;
    }

    @Override
    public void persist(byte[] record) {
        lastWrite = requireStorage().persist(record);
    }

    @Override
    public void snapshot(byte[] state) {
        lastWrite = requireStorage().snapshot(state);
    }

    private GroupCommit requireStorage() {
        if (storage == null) {
            throw new IllegalStateException("no data directory: persist and snapshot only when durable()");
        }
        return storage;
    }
}
