package dev.glomers.raft;

import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.raft.RaftMessages.ForwardedOp;
import dev.glomers.retry.Backoff;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Client operations at their origin node until they are answered: waiting to be carried to the leader
 * (forwarding), carried and not yet seen back in an append (re-forwarding, paced by a {@link Backoff}),
 * and the deadline after which an operation gets an error, and which one: 11 (definite) when it never
 * left this node, 0 (indefinite) otherwise. Also the applied-request table: an operation carried twice
 * (a duplicate message, a re-forward to a new leader) takes effect once.
 */
final class Proposals<C> {

    /** A client's operation at its origin node, waiting to be applied. */
    record Pending<C>(Message request, C command, long deadline) {
    }

    private final Backoff reforward;
    private final long clientTimeout;
    private final long firstReforwardWait;
    /** Request ids are {@code epoch << 32 | counter}: a restarted node's new ids never repeat an earlier run's. */
    private long epoch;
    private long counter;
    /** By request id, in arrival order, which is deadline order. */
    private final Map<Long, Pending<C>> pending = new LinkedHashMap<>();
    /** Own operations to carry to the leader with the next update. */
    private final Set<Long> toForward = new LinkedHashSet<>();
    /** Own operations carried to the leader and not yet seen back in this node's log. */
    private final Set<Long> awaitingLog = new LinkedHashSet<>();
    /** Own operations that never left this node (no leader was known): at their deadline they get a definite 11. */
    private final Set<Long> neverSent = new HashSet<>();
    private long reforwardAt = Long.MAX_VALUE;
    private final AppliedTable applied = new AppliedTable();

    Proposals(Backoff reforward, long clientTimeoutMillis, long firstReforwardWaitMillis) {
        this.reforward = reforward;
        this.clientTimeout = clientTimeoutMillis;
        this.firstReforwardWait = firstReforwardWaitMillis;
    }

    void setEpoch(long epoch) {
        this.epoch = epoch;
    }

    /** A new operation of our own client; returns its request id. */
    long add(Message request, C command, long now) {
        long id = (epoch << 32) | ++counter;
        pending.put(id, new Pending<>(request, command, now + clientTimeout));
        return id;
    }

    /** The operation goes to the leader with the next update. */
    void forward(long id) {
        toForward.add(id);
    }

    /** No leader is known: the operation waits for one, or gets 11 at its deadline. */
    void holdForLeader(long id) {
        neverSent.add(id);
        toForward.add(id);
    }

    boolean hasToForward() {
        return !toForward.isEmpty();
    }

    int toForwardCount() {
        return toForward.size();
    }

    /** The operations to carry now; from here on they are awaited back in an append. */
    List<ForwardedOp> takeToForward(StateMachine<C, ?> machine, long now) {
        List<ForwardedOp> ops = new ArrayList<>();
        for (long id : toForward) {
            Pending<C> op = pending.get(id);
            if (op != null) {
                ops.add(new ForwardedOp(id, machine.encode(op.command()), floor()));
                awaitingLog.add(id);
                neverSent.remove(id);
            }
        }
        toForward.clear();
        if (!ops.isEmpty() && reforwardAt == Long.MAX_VALUE) {
            reforwardAt = now + firstReforwardWait;
        }
        return ops;
    }

    /** An own operation came back in an append from the leader. */
    void seenInLog(long id) {
        awaitingLog.remove(id);
    }

    /** After an append was taken: nothing awaited any more stops the re-forward timer and resets its pacing. */
    void appendTaken() {
        if (awaitingLog.isEmpty()) {
            reforwardAt = Long.MAX_VALUE;
            reforward.succeeded();
        }
    }

    long reforwardAt() {
        return reforwardAt;
    }

    /**
     * Own operations carried to the leader that never came back in an append: carried again, paced by the
     * policy. True when there are some to carry now.
     */
    boolean reforwardUnseen(long now) {
        awaitingLog.removeIf(id -> !pending.containsKey(id));
        if (awaitingLog.isEmpty()) {
            reforwardAt = Long.MAX_VALUE;
            reforward.succeeded();
            return false;
        }
        long wait = reforward.afterFailure(RpcError.timeout("forwarded operations not seen in an append"));
        if (wait == Backoff.GIVE_UP) {
            awaitingLog.clear(); // they answer 0 at their deadline
            reforwardAt = Long.MAX_VALUE;
            return false;
        }
        toForward.addAll(awaitingLog);
        awaitingLog.clear();
        reforwardAt = now + Math.max(1, wait);
        return true;
    }

    /** A new leader (not us): every operation not yet applied is carried to it (applying skips duplicates). True when there are any. */
    boolean leaderChanged() {
        toForward.addAll(pending.keySet());
        awaitingLog.clear();
        reforwardAt = Long.MAX_VALUE;
        return !toForward.isEmpty();
    }

    /** We lead: the operations not yet applied go into our own log, none is forwarded. */
    Map<Long, Pending<C>> becameLeader() {
        toForward.clear();
        awaitingLog.clear();
        neverSent.clear();
        reforwardAt = Long.MAX_VALUE;
        return pending;
    }

    /** The operation is applied: no longer forwarded or awaited; its pending request, if its client still waits. */
    Pending<C> applied(long id) {
        toForward.remove(id);
        awaitingLog.remove(id);
        return pending.remove(id);
    }

    long nextDeadline() {
        return pending.isEmpty() ? Long.MAX_VALUE : pending.values().iterator().next().deadline();
    }

    /** Operations that were not applied in time get 11 if they never left this node, else 0: they may still be applied later, or never. */
    void expire(long now, long term, Effects out) {
        var it = pending.entrySet().iterator();
        while (it.hasNext()) {
            var next = it.next();
            if (next.getValue().deadline() > now) {
                break;
            }
            it.remove();
            toForward.remove(next.getKey());
            awaitingLog.remove(next.getKey());
            if (neverSent.remove(next.getKey())) {
                // It never left this node, so saying it did not happen is a promise we can keep.
                out.fail(next.getValue().request(), RpcError.unavailable("no leader known in term " + term));
            } else {
                out.fail(next.getValue().request(), RpcError.timeout("not applied in time; it may still take effect"));
            }
        }
    }

    Collection<Long> pendingIds() {
        return pending.keySet();
    }

    /**
     * This node's floor for the applied-request table: the smallest id it still waits for (the next id when
     * none). Every smaller one was applied here, or answered with an error and may be dropped.
     */
    long floor() {
        return pending.isEmpty() ? (epoch << 32) | (counter + 1) : pending.keySet().iterator().next();
    }

    // ---- the applied-request table ---------------------------------------------------------------

    /** Records that (origin, id) takes effect; false when it already had (an operation carried twice) or counts as done. */
    boolean recordApplied(String origin, long id, long floor) {
        return applied.record(origin, id, floor);
    }

    boolean wasApplied(String origin, long id) {
        return applied.contains(origin, id);
    }

    AppliedTable appliedTable() {
        return applied;
    }
}
