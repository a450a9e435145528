package dev.glomers.raft;

import dev.glomers.node.Effects;
import dev.glomers.raft.RaftCore.Role;
import dev.glomers.raft.RaftMessages.FollowerUpdate;
import dev.glomers.raft.RaftMessages.ForwardedOp;
import dev.glomers.raft.RaftMessages.Rejoin;
import dev.glomers.raft.RaftMessages.SnapshotAck;
import java.util.List;

/**
 * The paper's rules for leaders (Figure 2) that take input: an operation proposed at the leader becomes an
 * entry of its log, synced before anything that carries it is sent (a read-only one takes a read index
 * instead, {@link ReadAnswers}); and what a follower says back (its update, with the operations it
 * forwards, its echo of a read round and the result of an append; or its acknowledgement of a snapshot
 * chunk) moves its progress and, through {@link CommitRule}, the commit index. When and what a
 * leader sends is {@link Replicator}'s. Role and term stay with the core, which this calls back into.
 */
final class LeaderSide<C> {

    private final RaftLog<C> log;
    private final StateMachine<C, ?> machine;
    private final Proposals<C> proposals;
    private final Replicator<C> replicator;
    private final ReadIndex reads;
    private final ReadAnswers<C, ?> readAnswers;
    private final SnapshotTransfer snapshots;
    private final Applier<C, ?> applier;
    private final CommitRule<C> commit;
    private final RaftDisk<C> disk;
    private final Inbox inbox;
    private final long heartbeat;
    /** A cluster of one: what the leader appends is committed at once. */
    private final boolean alone;
    private final RaftCore<C, ?> core;

    LeaderSide(RaftLog<C> log, StateMachine<C, ?> machine, Proposals<C> proposals, Replicator<C> replicator, ReadIndex reads,
               ReadAnswers<C, ?> readAnswers, SnapshotTransfer snapshots, Applier<C, ?> applier, CommitRule<C> commit,
               RaftDisk<C> disk, Inbox inbox, long heartbeatMillis, boolean alone, RaftCore<C, ?> core) {
        this.log = log;
        this.machine = machine;
        this.proposals = proposals;
        this.replicator = replicator;
        this.reads = reads;
        this.readAnswers = readAnswers;
        this.snapshots = snapshots;
        this.applier = applier;
        this.commit = commit;
        this.disk = disk;
        this.inbox = inbox;
        this.heartbeat = heartbeatMillis;
        this.alone = alone;
        this.core = core;
    }

    /** An operation at the leader: a read-only one takes a read index (see ReadAnswers), any other a log entry. */
    void propose(String origin, long id, C command, long floor, long now, Effects out) {
        if (!machine.readOnly(command)) {
            append(new Entry<>(core.term(), origin, id, command, floor), now, out);
            return;
        }
        readAnswers.propose(origin, id, log.lastIndex(), applier.lastApplied(), core.role() == Role.LEADER, now, out);
    }

    /** An entry of the leader's own log, persisted (when durable) before anything that carries it leaves; alone, committed at once. */
    void append(Entry<C> entry, long now, Effects out) {
        log.append(entry);
        if (out.durable()) {
            out.persist(disk.entries(log.lastIndex(), List.of(entry)));
        }
        if (alone) {
            commit.advanceAtLeader(core.term(), now, out);
            return;
        }
        replicator.appended(entry, now);
    }

    /** A follower's update: its forwarded operations are proposed, its read echo and append result counted. */
    void onUpdate(String from, FollowerUpdate update, long now, Effects out) {
        core.observeTerm(update.term(), now, out);
        if (core.role() != Role.LEADER) {
            return; // the follower re-forwards to whoever it learns leads
        }
        for (ForwardedOp op : update.ops()) {
            if (!proposals.wasApplied(from, op.id())) {
                propose(from, op.id(), machine.decode(op.cmd()), op.floor(), now, out);
            }
        }
        FollowerProgress f = replicator.progress(from);
        if (f == null) {
            return;
        }
        replicator.heard(f, !inbox.takingRelayed(), update.unheard() != null, now);
        if (update.round() != null && update.term() == core.term()) {
            reads.echoed(from, update.round());
            applier.answerReads(now, out);
        }
        if (update.result() != null && update.term() == core.term()) {
            if (lostWhatItHeld(f, update.result())) {
                // Restarted without its data while its rejoin was lost (in a partition): its match must fall, or the
                // consistency check, which never goes below match, would ask for the same missing entry forever.
                replicator.rejoined(f, update.result().conflictIndex() - 1, !inbox.takingRelayed(), now);
            }
            if (replicator.acknowledged(f, update.result(), now)) {
                commit.advanceAtLeader(core.term(), now, out);
            }
        }
    }

    /**
     * A follower knows no leader ({@link Rejoining}: it (re)started, or was cut off and its clients wait), so its
     * clients get 11 until it hears from us, and we may have given up on it while it was silent. It hears from
     * us at once. Only a leader answers. One we heard within two heartbeat intervals and that still knows no
     * leader does not get what we send directly (a one-way cut: it asks again because our answer was lost): it
     * is reached around too, as a follower that says so in its updates; answered only the direct way, it would
     * ask in vain for as long as the cut lasts.
     */
    void onRejoin(String from, Rejoin rejoin, long now) {
        FollowerProgress f = core.role() == Role.LEADER ? replicator.progress(from) : null;
        if (f == null) {
            return;
        }
        boolean answeredInVain = now - f.lastHeardAt <= 2 * heartbeat;
        replicator.rejoined(f, rejoin.lastIndex(), !inbox.takingRelayed(), now);
        if (answeredInVain) {
            replicator.heard(f, !inbox.takingRelayed(), true, now);
        }
    }

    /** A refusal that says the follower's log ends below what it acknowledged: it was restarted without its data. */
    private static boolean lostWhatItHeld(FollowerProgress f, RaftMessages.AppendResult result) {
        return !result.success() && result.conflictTerm() == 0 && result.conflictIndex() - 1 < f.match;
    }

    /** A follower's answer to a snapshot chunk: the transfer goes on, or the follower's match moves to the snapshot. */
    void onSnapshotAck(String from, SnapshotAck ack, long now, Effects out) {
        core.observeTerm(ack.term(), now, out);
        FollowerProgress f = core.role() == Role.LEADER && ack.term() == core.term() ? replicator.progress(from) : null;
        if (f == null) {
            return;
        }
        replicator.heard(f, !inbox.takingRelayed(), f.unheard, now);
        if (snapshots.acknowledged(f, ack, now)) {
            commit.advanceAtLeader(core.term(), now, out);
        }
    }
}
