package dev.glomers.raft;

import dev.glomers.node.Effects;
import dev.glomers.raft.RaftMessages.AppendResult;
import dev.glomers.raft.RaftMessages.FollowerUpdate;
import dev.glomers.raft.RaftMessages.ForwardedOp;
import java.util.List;

/**
 * What a follower says to its leader, as one {@link FollowerUpdate}: the result of the last append and its
 * own clients' operations, batched in the forward window; an acknowledgement nobody waits for is held
 * ({@code ack-delay}) to ride along. When the leader does not hear us directly (it says so in its appends)
 * updates go around it through the other peers, and the direct way is tried now and then.
 */
final class FollowerChannel<C> {

    private final RaftProperties settings;
    private final Links links;
    private final Proposals<C> proposals;
    private final StateMachine<C, ?> machine;
    private AppendResult resultToSend;
    private long updateAt = Long.MAX_VALUE;
    private long lastUpdateSentAt;
    /** The leader does not hear us directly: updates go around it, and the direct way is tried now and then. */
    private boolean relayUpdates;
    private long lastProbedLeaderAt;
    private long probeLeaderWait;
    /** When an append last reached us directly, not passed on by a peer. */
    private long lastDirectAppendAt;
    /** The newest read round of the leader of {@code roundTerm} we got, and the newest we echoed (ReadIndex). */
    private long roundTerm;
    private long roundSeen;
    private long roundEchoed;
    /** How the leader's own operations are acknowledged and echoed (see {@link LeaderShare}). */
    private final LeaderShare leaderShare;

    FollowerChannel(RaftProperties settings, Links links, Proposals<C> proposals, StateMachine<C, ?> machine) {
        this.settings = settings;
        this.leaderShare = new LeaderShare(settings.promptLeaderAnswers());
        this.links = links;
        this.proposals = proposals;
        this.machine = machine;
        this.probeLeaderWait = links.firstProbeWait();
    }

    /** An append of our leader reached us; {@code relayAsked}: it asks us to answer around it too. */
    void appendArrived(boolean relayAsked, boolean direct, long now) {
        if (relayAsked && !relayUpdates) {
            probeLeaderWait = links.firstProbeWait();
        }
        relayUpdates = relayAsked;
        if (direct) {
            lastDirectAppendAt = now;
        }
        if (links.lapping(now) && (proposals.hasToForward() || roundSeen > roundEchoed)) {
            dueBy(now); // a lap passes us: what waits for one goes with it, and carries our answer along
        }
    }

    boolean goesAround() {
        return relayUpdates;
    }

    boolean hasSomethingToSay() {
        return resultToSend != null || proposals.hasToForward() || roundSeen > roundEchoed;
    }

    /** An append of the leader of {@code term} carried read round {@code round}; true when it is one to echo. */
    boolean roundArrived(long term, Long round) {
        if (term != roundTerm) {
            roundTerm = term;
            roundSeen = 0;
            roundEchoed = 0;
        }
        if (round != null && round > roundSeen) {
            roundSeen = round;
        }
        return roundSeen > roundEchoed;
    }

    /** An entry with an operation was taken: the leader's own client's ({@code leaders}) or a follower's. */
    void entryTaken(boolean leaders) {
        leaderShare.taken(leaders);
    }

    /**
     * With three nodes: whether the leader's own clients wait for our answer at once (see {@link LeaderShare}).
     * While going around in laps they always do: the acknowledgement is their lap going on ({@link Links#lapping}).
     */
    boolean leaderServesMost(long now) {
        return leaderShare.leaderServesMost() || links.lapping(now);
    }

    /**
     * With three nodes: whether the leader's own client waits for our acknowledgement of the leader's entry at
     * {@code index}, the leader's commit index being {@code leaderCommit}: while its clients are most of the load;
     * while going around in laps, unless the entry is committed already (the other follower's acknowledgement
     * came first: ours is a trailing one, and starts no lap).
     */
    boolean leaderWaitsFor(long index, long leaderCommit, long now) {
        return links.lapping(now) ? index > leaderCommit : leaderShare.leaderServesMost();
    }

    long updateAt() {
        return updateAt;
    }

    /** The update goes at {@code due} at the latest. */
    void dueBy(long due) {
        updateAt = Math.min(updateAt, due);
    }

    /** No leader (or we lead): nothing to say to anyone. */
    void clear() {
        resultToSend = null;
        updateAt = Long.MAX_VALUE;
    }

    long silentFor(long now) {
        return now - lastUpdateSentAt;
    }

    /** Keeps the more telling of the results not sent yet (a failure, or the higher match), due by {@code due}. */
    void answer(AppendResult result, long due, long term, String leader, long now, Effects out) {
        if (resultToSend == null || !result.success() || !resultToSend.success()
                || result.matchIndex() >= resultToSend.matchIndex()) {
            resultToSend = result;
        }
        dueBy(due);
        if (updateAt <= now) {
            send(term, leader, now, out);
        }
    }

    /** Sends the update now, if there is anything to say, with the peers' relays we held for it. */
    void send(long term, String leader, long now, Effects out) {
        links.flushHeld(out);
        List<ForwardedOp> ops = proposals.takeToForward(machine, now);
        boolean echo = roundTerm == term && roundSeen > roundEchoed;
        if (resultToSend != null || !ops.isEmpty() || echo) {
            boolean unheard = now - lastDirectAppendAt > settings.heartbeatInterval().toMillis() * 3 / 2;
            // The newest round rides on every update of the term (a lost echo is made good by the next one).
            Long round = roundTerm == term && roundSeen > 0 ? roundSeen : null;
            roundEchoed = roundTerm == term ? roundSeen : roundEchoed;
            FollowerUpdate update = new FollowerUpdate(term, resultToSend, ops.isEmpty() ? null : ops, unheard ? Boolean.TRUE : null, round);
            if (relayUpdates && now - lastProbedLeaderAt >= probeLeaderWait) {
                lastProbedLeaderAt = now;
                probeLeaderWait = links.nextProbeWait(probeLeaderWait);
                links.sendAllWays(leader, update, now, out);
            } else if (relayUpdates) {
                links.sendAround(leader, update, now, out);
            } else {
                out.send(leader, update);
            }
            lastUpdateSentAt = now;
        }
        clear();
    }

    /**
     * When operations that arrive now go to the leader: at the end of the forward window. A follower whose
     * updates go around the leader sends them so that the peer passing them on has them before its own
     * window ends, and sends both in one message: with three nodes they ride along with the leader's appends
     * to the other follower, which pass through us just after each window ends (see Inbox's onRelay), and
     * this is only the latest time; with more, they go half a window early. On a three-node ring going in laps
     * ({@link Links#lapping}): a lap gap after the last lap that passed us, or at once if that is past or two of
     * ours wait (a lap passing earlier takes them along).
     */
    long forwardAt(long now, int peerCount) {
        if (peerCount == 2 && links.lapping(now)) {
            // A second one waiting starts the lap; our place along it from the leader: our updates go around it (we are
            // the next after it) or directly (we are the one before it).
            return proposals.toForwardCount() >= 2 ? now : links.nextLapAt(now, relayUpdates ? 1 : 2);
        }
        long window = links.window(settings.forwardWindow(), now);
        if (!relayUpdates) {
            return Links.windowEnd(now, window);
        }
        if (peerCount == 2) {
            return Links.windowEnd(now, window) + window / 2;
        }
        return Links.windowEnd(now + window / 2, window) - window / 2;
    }
}
