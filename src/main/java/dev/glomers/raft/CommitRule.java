package dev.glomers.raft;

import dev.glomers.node.Effects;

/**
 * The commit index and the rules that move it (the paper's Figure 2; etcd keeps it with the log as
 * {@code committed}): at the leader, the newest entry of its term that a majority holds
 * ({@link #advanceAtLeader}); at a follower, the leader's commit index as far as its log matches the leader's,
 * or further by the three-node shortcut ({@link #learnAtFollower}); and a leader's snapshot, which covers only
 * committed entries. It only ever grows within a run, and is never persisted: a restarted node learns it again.
 * What is newly committed is applied at once ({@link Applier}). What the messages that move it do is in
 * {@link LeaderSide} and {@link FollowerSide}.
 */
final class CommitRule<C> {

    private final RaftLog<C> log;
    private final Replicator<C> replicator;
    private final Applier<C, ?> applier;
    private final int majority;
    private long commitIndex;

    CommitRule(RaftLog<C> log, Replicator<C> replicator, Applier<C, ?> applier, int majority) {
        this.log = log;
        this.replicator = replicator;
        this.applier = applier;
        this.majority = majority;
    }

    long index() {
        return commitIndex;
    }

    /** A restart from a snapshot on disk: what it covers was committed and is applied (the rest is learned again). */
    void recovered(Snapshot snapshot) {
        applier.recover(snapshot);
        commitIndex = snapshot.index();
    }

    /** At the leader of {@code term}: the newest entry of that term a majority holds; older terms' entries commit with it. */
    void advanceAtLeader(long term, long now, Effects out) {
        long before = commitIndex;
        for (long n = log.lastIndex(); n > commitIndex && log.termAt(n) == term; n--) {
            if (replicator.holders(n) >= majority) {
                commitIndex = n;
                break;
            }
        }
        if (majority > 2) {
            // Origins of newly committed entries learn it from us; in a cluster of three they knew on receipt.
            for (long i = before + 1; i <= commitIndex; i++) {
                replicator.markUrgent(log.entryAt(i).origin(), now);
            }
        }
        applier.applyUpTo(commitIndex, now, out);
        applier.answerReads(now, out);
    }

    /**
     * At a follower in {@code term}: the leader's commit index, but no further than our log matches the leader's
     * (Figure 2, AppendEntries receiver, step 5), or further by the three-node shortcut.
     */
    void learnAtFollower(long leaderCommit, long matched, long term, long now, Effects out) {
        commitIndex = Math.max(commitIndex, Math.min(leaderCommit, matched));
        commitIndex = Math.max(commitIndex, committedByThreeNodeShortcut(matched, term));
        applier.applyUpTo(commitIndex, now, out);
        applier.answerReads(now, out);
    }

    /**
     * The three-node shortcut: in a cluster of at most three, a follower that holds an entry of the current
     * term, got from this term's leader, knows it is committed: the leader and itself are a majority. So it
     * applies and answers its clients at once. Only for the current term's entries (an older term's entry
     * on two nodes may still be overwritten, the paper's figure 8), and only up to what matches the leader.
     * Returns the index so known committed, or 0.
     */
    private long committedByThreeNodeShortcut(long matched, long term) {
        return majority <= 2 && matched > 0 && log.termAt(matched) == term ? matched : 0;
    }

    /** At a follower: the leader's snapshot, complete, covers only committed entries, and now they are applied. */
    void installSnapshot(Snapshot snapshot, Effects out) {
        applier.install(snapshot, out);
        commitIndex = snapshot.index();
    }
}
