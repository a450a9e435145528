package dev.glomers.raft;

import dev.glomers.node.Effects;
import dev.glomers.raft.RaftMessages.AppendEntries;
import dev.glomers.raft.RaftMessages.ReadAnswer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The read index at work between the other parts: a read at the leader takes an index and asks for a round
 * ({@link ReadIndex} holds the rules), a follower echoes rounds and takes the answers to its reads from the
 * leader's appends, and every read is answered from the state machine once applied far enough. Kept apart
 * from {@link RaftCore} because none of it changes a role, a term or the log.
 */
final class ReadAnswers<C, R> {

    private final ReadIndex reads;
    private final Proposals<C> proposals;
    private final StateMachine<C, R> machine;
    private final Replicator<C> replicator;
    private final FollowerChannel<C> channel;
    private final RaftProperties settings;
    private final int majority;
    private final int peerCount;

    ReadAnswers(ReadIndex reads, Proposals<C> proposals, StateMachine<C, R> machine, Replicator<C> replicator,
                FollowerChannel<C> channel, RaftProperties settings, int majority, int peerCount) {
        this.reads = reads;
        this.proposals = proposals;
        this.machine = machine;
        this.replicator = replicator;
        this.channel = channel;
        this.settings = settings;
        this.majority = majority;
        this.peerCount = peerCount;
    }

    /** A read-only operation at the leader: its read index is the last log index, no entry is written. */
    void propose(String origin, long id, long lastIndex, long lastApplied, boolean leading, long now, Effects out) {
        if (reads.register(origin, id, lastIndex, now + settings.clientTimeout().toMillis())) {
            replicator.roundWanted(origin, now);
        }
        if (reads.hasAnswersFor(origin)) {
            replicator.markUrgent(origin, now); // three nodes: answered with the next append
        }
        answer(lastApplied, leading, now, out);
    }

    /** A leader's append carries its read round (echoed in our next update) and its answers to our reads. */
    void takeFromAppend(AppendEntries append, long term, long lastApplied, boolean leading, long now, Effects out) {
        if (channel.roundArrived(term, append.round())) {
            // With three nodes a round goes out only for the leader's own reads: echoed as we acknowledge its own
            // entries (at once while its clients are most of the load, else lazily). With more, others' reads wait:
            // at the end of our window, with the operations we carry then; a follower whose updates go around the
            // leader is never among those it asks first: lazily.
            long lazily = now + settings.ackDelay().toMillis();
            long due = majority <= 2 ? (channel.leaderServesMost(now) ? now : lazily)
                    : channel.goesAround() ? lazily : channel.forwardAt(now, peerCount);
            channel.dueBy(due);
        }
        if (append.reads() != null) {
            for (ReadAnswer read : append.reads()) {
                proposals.seenInLog(read.id()); // not carried again
                reads.answered(read.id(), read.index());
            }
            answer(lastApplied, leading, now, out);
        }
    }

    /**
     * Reads applied far enough: our own are answered from the state machine; as leader, a follower's confirmed
     * ones go to it with the next append.
     */
    void answer(long lastApplied, boolean leading, long now, Effects out) {
        List<Long> ids = new ArrayList<>(reads.answerable(lastApplied));
        if (leading) {
            Set<String> followersToTell = new HashSet<>();
            reads.ready(lastApplied, followersToTell).forEach(read -> ids.add(read.id()));
            followersToTell.forEach(follower -> replicator.markUrgent(follower, now));
        }
        for (long id : ids) {
            Proposals.Pending<C> op = proposals.applied(id);
            if (op != null) {
                machine.answer(op.request(), machine.query(op.command()), out);
            }
        }
    }
}
