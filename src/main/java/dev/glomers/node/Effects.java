package dev.glomers.node;

/**
 * What a {@link Core} may do: the effects it asks for while it handles a message or a tick. The driver
 * performs them in the order asked. There is deliberately no timeout anywhere here: a lost message is
 * never reported (not by the workbench, not by us), so a core that waits for an answer keeps its own
 * deadline and acts on it in {@link Core#tick}.
 */
public interface Effects {

    /** Fire and forget: no msg_id, no reply expected. */
    void send(String dest, Body body);

    /** Answers {@code request} with {@code body}. */
    void reply(Message request, Body body);

    /** Answers {@code request} with an error. */
    void fail(Message request, RpcError error);

    /**
     * Sends a request under a fresh {@code msg_id}, which it returns. Its reply (an {@code error} body
     * included) comes back through {@link Core#receive} with {@code in_reply_to} set to that id.
     */
    long request(String dest, Body body);

    // ---- durability (persist before send; see docs/cores.md) ---------------------------------

    /**
     * Whether this node keeps durable state: it was started with a data directory
     * ({@code --glomers.data-dir}; in the simulation, a simulated disk). Without one (the workbench, which never restarts a node) there is no
     * disk, and a core keeps everything in memory and calls neither {@link #persist} nor {@link #snapshot}.
     */
    default boolean durable() {
        return false;
    }

    /**
     * Appends {@code record} to the node's durable log. Persist before send: every message asked for after
     * this call, in this step or a later one (the error answer of a step that throws included), leaves the
     * node only once the record is synced, in the order asked for; one sync
     * serves every record waiting at that moment (group commit). A restarted node gets the synced records
     * back, in order, through {@link Core#recover}. Only when {@link #durable()}.
     */
    default void persist(byte[] record) {
        throw new IllegalStateException("no data directory: persist only when durable()");
    }

    /**
     * Replaces everything persisted so far by {@code state}: once synced, a restart recovers {@code state}
     * plus the records persisted after this call, and the log before it is gone (this is how a durable
     * core keeps its log bounded). Held messages wait for it as for {@link #persist}. Only when
     * {@link #durable()}.
     */
    default void snapshot(byte[] state) {
        throw new IllegalStateException("no data directory: snapshot only when durable()");
    }
}
