package dev.glomers.raft;

import dev.glomers.node.Effects;
import dev.glomers.raft.RaftCore.Role;
import java.util.List;

/**
 * Applying (the paper's Figure 2, rules for all servers: while commitIndex is past lastApplied, apply the next
 * entry) and the state machine's side of snapshots (section 7): every so many applied entries a snapshot is
 * taken and made the durable state, and a snapshot from the leader or the disk replaces what was applied.
 * Kept apart from {@link RaftCore} because none of it changes a role, a term or the commit index: the core
 * says how far is committed, this class brings the state machine there and answers the clients.
 */
final class Applier<C, R> {

    private final String self;
    private final RaftLog<C> log;
    private final StateMachine<C, R> machine;
    private final Proposals<C> proposals;
    private final Compaction<C> compaction;
    private final Replicator<C> replicator;
    private final ReadAnswers<C, R> readAnswers;
    private final RaftDisk<C> disk;
    private final RaftCore<C, R> core;
    /** The paper's lastApplied: the last log index the state machine holds. */
    private long lastApplied;

    Applier(String self, RaftLog<C> log, StateMachine<C, R> machine, Proposals<C> proposals, Compaction<C> compaction,
            Replicator<C> replicator, ReadAnswers<C, R> readAnswers, RaftDisk<C> disk, RaftCore<C, R> core) {
        this.self = self;
        this.log = log;
        this.machine = machine;
        this.proposals = proposals;
        this.compaction = compaction;
        this.replicator = replicator;
        this.readAnswers = readAnswers;
        this.disk = disk;
        this.core = core;
    }

    long lastApplied() {
        return lastApplied;
    }

    /** Applies committed entries in log order; the origin of each answers its client. */
    void applyUpTo(long commitIndex, long now, Effects out) {
        while (lastApplied < commitIndex) {
            Entry<C> e = log.entryAt(++lastApplied);
            if (e.command() == null || !proposals.recordApplied(e.origin(), e.id(), e.floor())) {
                continue; // a no-op, or an operation carried twice that already took effect
            }
            R result = machine.apply(e.command());
            if (e.origin().equals(self)) {
                Proposals.Pending<C> op = proposals.applied(e.id());
                if (op != null) {
                    machine.answer(op.request(), result, out);
                }
            }
        }
        if (compaction.due(lastApplied)) {
            persistSnapshot(compaction.take(lastApplied, core.role() == Role.LEADER ? replicator.activeMatch(now) : lastApplied), out);
        }
    }

    /** Reads whose index is applied now are answered (see {@link ReadAnswers}). */
    void answerReads(long now, Effects out) {
        readAnswers.answer(lastApplied, core.role() == Role.LEADER, now, out);
    }

    /** The leader's snapshot, complete: it replaces the state and becomes the durable one. */
    void install(Snapshot snapshot, Effects out) {
        compaction.install(snapshot);
        lastApplied = snapshot.index();
        persistSnapshot(snapshot, out);
    }

    /** Our own snapshot, read back from the disk at a restart: what it covers was committed and applied. */
    void recover(Snapshot snapshot) {
        compaction.install(snapshot);
        lastApplied = snapshot.index();
    }

    /** The durable state becomes the snapshot and what follows it; when synced, the log under it is gone from the disk too. */
    private void persistSnapshot(Snapshot snapshot, Effects out) {
        if (out.durable()) {
            List<Entry<C>> after = log.lastIndex() > snapshot.index() ? log.slice(snapshot.index() + 1, log.lastIndex()) : List.of();
            out.snapshot(disk.snapshot(snapshot, core.term(), core.votedFor(), core.epoch(), after));
        }
    }
}
