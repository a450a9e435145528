package dev.glomers.raft;

import dev.glomers.node.Effects;
import dev.glomers.raft.RaftMessages.AppendEntries;
import dev.glomers.raft.RaftMessages.AppendResult;
import dev.glomers.raft.RaftMessages.WireEntry;
import java.util.List;

/**
 * The follower's side of the consistency check (the paper's section 5.3; etcd's maybeAppend): where the
 * leader's entries meet our log, a conflicting suffix cut off, the new entries appended and synced. What the
 * append means for roles, the commit index and the answer is {@link FollowerSide}'s.
 */
final class LogMatching<C> {

    /**
     * What an append came to: {@code rejected} when our log does not hold the leader's previous entry (the
     * conflict hints in it), else the last index that now matches the leader's log, and whether some node
     * waits on our acknowledgement.
     */
    record Outcome(AppendResult rejected, long matched, boolean someoneWaits) {
    }

    private final String self;
    private final int majority;
    private final RaftLog<C> log;
    private final StateMachine<C, ?> machine;
    private final Proposals<C> proposals;
    private final RaftDisk<C> disk;
    private final FollowerChannel<C> channel;

    LogMatching(String self, int majority, RaftLog<C> log, StateMachine<C, ?> machine, Proposals<C> proposals,
                RaftDisk<C> disk, FollowerChannel<C> channel) {
        this.channel = channel;
        this.self = self;
        this.majority = majority;
        this.log = log;
        this.machine = machine;
        this.proposals = proposals;
        this.disk = disk;
    }

    /** Takes {@code leader}'s append, arrived at {@code now}. */
    Outcome take(String leader, AppendEntries append, long now, Effects out) {
        long prev = append.prevIndex();
        long prevTerm = append.prevTerm();
        List<WireEntry> entries = append.entries();
        if (prev < log.baseIndex()) {
            // Our snapshot covers the start: those entries are committed, and so the leader's too. Skip them.
            entries = entries.subList((int) Math.min(entries.size(), log.baseIndex() - prev), entries.size());
            prev = log.baseIndex();
            prevTerm = log.baseTerm();
        }
        if (prev > log.lastIndex()) {
            return new Outcome(new AppendResult(false, 0, 0, log.lastIndex() + 1), 0, false);
        }
        if (log.termAt(prev) != prevTerm) {
            return new Outcome(new AppendResult(false, 0, log.termAt(prev), log.firstIndexOfTermAt(prev)), 0, false);
        }
        // With more than three nodes, every entry's origin waits for the commit our acknowledgement helps
        // complete: others' clients, and our own (the leader counts us among the holders it needs). With three, only the leader's own clients wait on it (our own clients the shortcut
        // answers): we answer at once for the no-op of its term (its reads wait for it) and for its clients'
        // entries while they are most of the load or while a ring goes in laps (FollowerChannel.leaderWaitsFor);
        // otherwise the acknowledgement rides on our next update, which costs nothing and keeps only a minority waiting.
        boolean someoneWaits = false;
        long firstWritten = 0;
        long index = prev;
        for (WireEntry e : entries) {
            index++;
            boolean leaders = e.origin().equals(leader);
            if (majority > 2 || leaders && (e.cmd() == null || channel.leaderWaitsFor(index, append.commit(), now))) {
                someoneWaits = true;
            }
            if (index <= log.lastIndex()) {
                if (log.termAt(index) == e.term()) {
                    continue; // already held (a duplicate or resent append)
                }
                log.truncateFrom(index);
            }
            firstWritten = firstWritten == 0 ? index : firstWritten;
            if (e.cmd() != null) {
                channel.entryTaken(leaders);
            }
            log.append(new Entry<>(e.term(), e.origin(), e.id(), e.cmd() == null ? null : machine.decode(e.cmd()), e.floor()));
            if (e.origin().equals(self)) {
                proposals.seenInLog(e.id());
            }
        }
        proposals.appendTaken();
        if (firstWritten > 0 && out.durable()) {
            // Synced before our acknowledgement leaves, and before the three-node shortcut answers a client.
            out.persist(disk.entries(firstWritten, log.slice(firstWritten, log.lastIndex())));
        }
        return new Outcome(null, index, someoneWaits);
    }
}
