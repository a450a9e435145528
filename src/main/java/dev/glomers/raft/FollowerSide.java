package dev.glomers.raft;

import dev.glomers.node.Effects;
import dev.glomers.raft.RaftCore.Role;
import dev.glomers.raft.RaftMessages.AppendEntries;
import dev.glomers.raft.RaftMessages.AppendResult;
import dev.glomers.raft.RaftMessages.FollowerUpdate;
import dev.glomers.raft.RaftMessages.InstallSnapshot;
import dev.glomers.raft.RaftMessages.SnapshotAck;

/**
 * What a leader's messages do at the node that gets them: the receiver's side of AppendEntries (the paper's
 * Figure 2) and of InstallSnapshot (Figure 13). A message of an older term is refused with ours; any other
 * makes its sender this term's leader, holds off elections, and is taken: an append by the consistency check
 * ({@link LogMatching}), a snapshot chunk by {@link SnapshotTransfer}; then the answer, through
 * {@link FollowerChannel}; what it commits, by {@link CommitRule}. The counterpart of {@link Replicator}, a
 * leader's side. Role and term stay with {@link RaftCore}, which this calls back into, so that one place holds
 * who this node is.
 */
final class FollowerSide<C> {

    private final RaftProperties settings;
    private final Links links;
    private final FollowerChannel<C> channel;
    private final Elections elections;
    private final ReadAnswers<C, ?> readAnswers;
    private final LogMatching<C> matching;
    private final SnapshotTransfer snapshots;
    private final Applier<C, ?> applier;
    private final CommitRule<C> commit;
    private final Inbox inbox;
    private final RaftCore<C, ?> core;

    FollowerSide(RaftProperties settings, Links links, FollowerChannel<C> channel, Elections elections,
                 ReadAnswers<C, ?> readAnswers, LogMatching<C> matching, SnapshotTransfer snapshots, Applier<C, ?> applier,
                 CommitRule<C> commit, Inbox inbox, RaftCore<C, ?> core) {
        this.settings = settings;
        this.links = links;
        this.channel = channel;
        this.elections = elections;
        this.readAnswers = readAnswers;
        this.matching = matching;
        this.snapshots = snapshots;
        this.applier = applier;
        this.commit = commit;
        this.inbox = inbox;
        this.core = core;
    }

    /** The leader's append: its reads and read answers taken, the consistency check, the commit learned, the acknowledgement. */
    void onAppend(String from, AppendEntries append, long now, Effects out) {
        if (append.term() < core.term()) {
            // A deposed leader: our term tells it so.
            out.send(from, new FollowerUpdate(core.term(), new AppendResult(false, 0, 0, 0), null));
            return;
        }
        core.observeTerm(append.term(), now, out);
        core.becomeFollower(from, now);
        channel.appendArrived(append.relay() != null, !inbox.takingRelayed(), now);
        elections.leaderHeard(now);
        readAnswers.takeFromAppend(append, core.term(), applier.lastApplied(), core.role() == Role.LEADER, now, out);
        LogMatching.Outcome taken = matching.take(from, append, now, out);
        if (taken.rejected() != null) {
            answer(taken.rejected(), now, now, out);
            return;
        }
        long matched = taken.matched();
        commit.learnAtFollower(append.commit(), matched, core.term(), now, out);
        if (!append.entries().isEmpty()) {
            // Otherwise the acknowledgement waits a little for an update that carries it anyway.
            answer(new AppendResult(true, matched, 0, 0), taken.someoneWaits() ? now : now + settings.ackDelay().toMillis(), now, out);
        } else if (channel.silentFor(now) >= settings.heartbeatInterval().toMillis() * 3 / 4) {
            // Nothing said for about a heartbeat interval: the leader must know we hear it (check quorum; and
            // a follower it does not hear is reached, and answers, through the other peers too).
            answer(new AppendResult(true, matched, 0, 0), now, now, out);
        }
    }

    private void answer(AppendResult result, long due, long now, Effects out) {
        channel.answer(result, due, core.term(), core.leader(), now, out);
    }

    /** A chunk of the leader's snapshot: a leader's message like an append; installed once complete, and synced before it is acknowledged. */
    void onInstallSnapshot(String from, InstallSnapshot chunk, long now, Effects out) {
        if (chunk.term() < core.term()) {
            out.send(from, new SnapshotAck(core.term(), chunk.index(), 0, false)); // a deposed leader: our term tells it so
            return;
        }
        core.observeTerm(chunk.term(), now, out);
        core.becomeFollower(from, now);
        channel.appendArrived(chunk.relay() != null, !inbox.takingRelayed(), now);
        elections.leaderHeard(now);
        SnapshotTransfer.Received received = snapshots.receive(chunk, core.term(), commit.index());
        if (received.complete() != null) {
            commit.installSnapshot(received.complete(), out);
        }
        if (channel.goesAround()) {
            links.sendAllWays(from, received.ack(), now, out);
        } else {
            out.send(from, received.ack());
        }
    }
}
