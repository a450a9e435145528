package dev.glomers.node;

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
 */
public final class CoreDriver implements Effects {

    private final Node node;
    private Core core;
    private ScheduledFuture<?> tick;
    private long tickAt = Long.MAX_VALUE;

    private CoreDriver(Node node) {
        this.node = node;
    }

    /**
     * Builds the core when {@code init} arrives (the node knows its id and the cluster then) and from
     * then on gives it every message that no typed handler of the node takes.
     */
    public static void drive(Node node, Supplier<? extends Core> coreAtInit) {
        CoreDriver driver = new CoreDriver(node);
        node.onInit(() -> {
            driver.core = coreAtInit.get();
            driver.step(() -> driver.core.start(node.now(), driver));
        });
        node.handleOthers((message, same) -> driver.step(() -> driver.core.receive(message, node.now(), driver)));
    }

    /** Runs one call into the core; whatever it throws goes on to the node (which answers with it), after the next tick is set. */
    private void step(Runnable call) {
        try {
            call.run();
        } finally {
            scheduleTick();
        }
    }

    private void scheduleTick() {
        long wake = core.wakeAt();
        if (wake >= tickAt) {
            return; // a tick comes earlier anyway; the core asks again after it
        }
        if (tick != null) {
            tick.cancel(false);
        }
        tickAt = wake;
        long delay = Math.max(0, wake - node.now());
        tick = node.after(java.time.Duration.ofMillis(delay), this::tick);
    }

    private void tick() {
        tick = null;
        tickAt = Long.MAX_VALUE;
        long now = node.now();
        step(() -> core.tick(now, this));
        if (tickAt <= now) {
            // A core that asks for "now" again right after a tick at now would spin: the next tick waits 1 ms.
            tick.cancel(false);
            tickAt = now + 1;
            tick = node.after(java.time.Duration.ofMillis(1), this::tick);
        }
    }

    // ---- effects --------------------------------------------------------------------------

    @Override
    public void send(String dest, Body body) {
        node.send(dest, body);
    }

    @Override
    public void reply(Message request, Body body) {
        node.reply(request, body);
    }

    @Override
    public void fail(Message request, RpcError error) {
        node.replyError(request, error);
    }

    @Override
    public long request(String dest, Body body) {
        return node.request(dest, body);
    }
}
