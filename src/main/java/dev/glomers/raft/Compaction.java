package dev.glomers.raft;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When and how the log is compacted (the paper's section 7): every {@code snapshot-every} applied entries
 * the state machine and the applied-request table are captured in a {@link Snapshot}, and the log keeps only
 * what follows it. A snapshot from the leader or from the disk replaces the state the same way. The latest
 * snapshot stays in memory: it is what a follower the log no longer serves gets ({@link SnapshotTransfer}).
 */
final class Compaction<C> {

    private static final Logger logger = LoggerFactory.getLogger(Compaction.class);

    private final RaftLog<C> log;
    private final StateMachine<C, ?> machine;
    private final AppliedTable applied;
    private final long every;
    private Snapshot latest;

    Compaction(RaftLog<C> log, StateMachine<C, ?> machine, AppliedTable applied, long every) {
        this.log = log;
        this.machine = machine;
        this.applied = applied;
        this.every = every;
    }

    /** The snapshot the log starts after; null when there was none. */
    Snapshot latest() {
        return latest;
    }

    /** Whether the entries applied since the last snapshot call for a new one. */
    boolean due(long lastApplied) {
        return lastApplied - (latest == null ? 0 : latest.index()) >= every;
    }

    /**
     * Captures the state applied up to {@code lastApplied}, and drops the entries up to it from the log, or
     * only those up to {@code keepAfter} when that is lower: a leader keeps the entries its active followers
     * still need (etcd does the same), so that one a little behind gets them and not the snapshot, and its
     * clients get their answers. Never further back than a snapshot interval: the log stays bounded.
     */
    Snapshot take(long lastApplied, long keepAfter) {
        latest = Snapshot.of(lastApplied, log.termAt(lastApplied), machine.snapshot(), applied.toJson());
        long held = log.lastIndex() - log.baseIndex();
        long compactTo = Math.max(log.baseIndex(), Math.min(lastApplied, Math.max(keepAfter, lastApplied - every)));
        log.compactTo(compactTo, log.termAt(compactTo));
        // On stderr (the node log): how big the log and the table get, which bench/raft-soak reads.
        logger.info("raft snapshot at index {}: the log held {} entries and keeps {}; applied table {} ids",
                latest.index(), held, log.lastIndex() - log.baseIndex(), applied.size());
        return latest;
    }

    /** A snapshot replaces the state (a leader's, installed; or our own, recovered from the disk). */
    void install(Snapshot snapshot) {
        machine.restore(snapshot.machine());
        applied.restore(snapshot.applied());
        log.compactTo(snapshot.index(), snapshot.term());
        latest = snapshot;
        logger.info("raft snapshot installed at index {}: the log keeps {} entries; applied table {} ids",
                snapshot.index(), log.lastIndex() - log.baseIndex(), applied.size());
    }
}
