package dev.glomers.raft;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;

/**
 * What Raft replicates: a deterministic state machine that every node applies the committed log to,
 * in log order. Raft knows nothing of its commands; the state machine says how a client request
 * becomes a command, how a command travels in a log entry, and how a result answers the client.
 *
 * @param <C> a command: one client operation, as a log entry carries it
 * @param <R> what applying a command produced (a value, an error the state machine decided)
 */
public interface StateMachine<C, R> {

    /**
     * The command a client request asks for. Throws {@link RpcError} (a definite error, nothing was
     * appended) for a request this state machine does not take or cannot read.
     */
    C command(Message request);

    /** Applies a committed command. Deterministic: the same commands in the same order give the same results everywhere. */
    R apply(C command);

    /**
     * Whether {@code command} only reads: then Raft answers it with a read index (no log entry, no fsync) by
     * {@link #query}. Default: no, every command goes through the log.
     */
    default boolean readOnly(C command) {
        return false;
    }

    /** What a read-only command gives on the current state, which it leaves as it is. */
    default R query(C command) {
        throw new UnsupportedOperationException("not a read-only state machine");
    }

    /** Answers the client whose request became {@code command} with what applying it produced. */
    void answer(Message request, R result, Effects out);

    /** A command as a log entry carries it on the wire. */
    JsonNode encode(C command);

    /** The command back from its wire form. */
    C decode(JsonNode encoded);

    /**
     * The state as applied so far, as a JSON tree of its own (later applying must not change it): the
     * state machine's part of a Raft snapshot (the paper's section 7).
     */
    JsonNode snapshot();

    /** Replaces the whole state by one {@link #snapshot} made (a snapshot installed from the leader or recovered). */
    void restore(JsonNode snapshot);
}
