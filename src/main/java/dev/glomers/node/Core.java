package dev.glomers.node;

/**
 * A workload's algorithm as a state machine, in the shape of etcd-io/raft: messages and ticks go in,
 * effects come out. A core never reads a clock, starts a thread, sleeps, blocks or touches Spring;
 * every timing rule (windows, deadlines, suspicion, election timeouts) is a function of the {@code now}
 * it is given. {@link CoreDriver} is the only thing that calls it, always on the node's event loop, so
 * a core needs no locks; the deterministic simulation drives the very same driver in virtual time.
 *
 * <p>Times are milliseconds on the node's clock ({@link EventLoop#clockMillis()}): in production the
 * wall clock made monotonic, in the simulation virtual time.
 */
public interface Core {

    /**
     * Before {@link #start}, only on a node with a data directory that holds state of an earlier run of this
     * same node (same id, same cluster): what it persisted and synced ({@link Effects#persist},
     * {@link Effects#snapshot}). The core rebuilds its state from it; it may not send anything here
     * (it does so from {@code start}, which follows at once). Called on every restart of a durable node,
     * also when nothing was synced before the crash ({@code stored.isEmpty()}); never on a first start.
     */
    default void recover(dev.glomers.storage.Stored stored) {
    }

    /** Once, when {@code init} arrived, before {@code init_ok} goes out: the cluster is known from here on. */
    default void start(long now, Effects out) {
    }

    /**
     * A message for this node: a client request, a peer's message, or the reply to a request this core
     * sent with {@link Effects#request}. A request that cannot be served throws {@link RpcError} (the
     * driver answers with it); anything else thrown answers error 13, which is indefinite.
     */
    void receive(Message message, long now, Effects out);

    /** Time passed: called at (or soon after) the time {@link #wakeAt()} last asked for, and maybe earlier. */
    default void tick(long now, Effects out) {
    }

    /**
     * When this core next needs a {@link #tick}, in the clock's milliseconds; {@link Long#MAX_VALUE} when it
     * waits for nothing (an idle core is never woken). Asked after every call; a time not later than the
     * {@code now} of the last call means "as soon as possible".
     */
    default long wakeAt() {
        return Long.MAX_VALUE;
    }
}
