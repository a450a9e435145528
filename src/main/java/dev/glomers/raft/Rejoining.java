package dev.glomers.raft;

import dev.glomers.node.Effects;
import dev.glomers.raft.RaftMessages.Rejoin;
import java.util.List;

/**
 * How a node that knows no leader gets whoever leads to speak to it: a {@link Rejoin} to every peer when it
 * starts, and again while its own clients wait for a leader. A leader answers with an append at once
 * ({@link LeaderSide#onRejoin}); nobody else answers. Why: a leader sends to a follower it has not heard for long
 * only once per maximum election timeout, and a node cut off (or restarted inside a partition, its first rejoin
 * lost) backs its pre-votes off to several timeouts, so after the heal its clients got 11 for up to 1.8 s
 * (1.2-1.5 s seen on the runner).
 *
 * <p>The asks back off: the first a heartbeat interval after the last, then twice as long each time up to
 * {@link #MAX_WAIT_HEARTBEATS} intervals, and from the start only after a maximum election timeout (a cluster
 * that starts together elects within one; a node restarted alone is answered at once). Asks from a node cut off
 * go into the partition and count as sent all the same: at one round per heartbeat interval they cost the
 * tutorial line's seeds 1 and 3 about 0.05 msgs/op, too much for a line held to 2.0. Hearing a leader
 * resets the wait. While a node hears its leader, or while none of its clients waits, this sends nothing.
 */
final class Rejoining {

    /** The longest wait between two asks, in heartbeat intervals: what a healed node waits at worst. */
    static final int MAX_WAIT_HEARTBEATS = 3;

    private final List<String> peers;
    private final long firstWait;
    private final long startWait;
    private long wait;
    private long nextAskAt;

    Rejoining(List<String> peers, long heartbeatMillis, long electionTimeoutMaxMillis) {
        this.peers = peers;
        this.firstWait = heartbeatMillis;
        this.startWait = electionTimeoutMaxMillis;
        this.wait = firstWait;
    }

    /** A (re)start: whoever leads hears of us at once, and answers with an append; until then our clients wait. */
    void start(long lastIndex, long now, Effects out) {
        send(lastIndex, out);
        nextAskAt = now + startWait;
    }

    /** When to ask again, for a node that knows no leader while its clients wait. */
    long askAt() {
        return nextAskAt;
    }

    /** A node that knows no leader, with clients waiting: asks now unless its current wait has not passed. */
    void clientsWait(long lastIndex, long now, Effects out) {
        if (now >= nextAskAt) {
            send(lastIndex, out);
            nextAskAt = now + wait;
            wait = Math.min(2 * wait, MAX_WAIT_HEARTBEATS * firstWait);
        }
    }

    /** A leader is known again: the next time none is, the first ask comes a heartbeat interval after the last. */
    void leaderKnown() {
        wait = firstWait;
    }

    private void send(long lastIndex, Effects out) {
        Rejoin rejoin = new Rejoin(lastIndex);
        peers.forEach(peer -> out.send(peer, rejoin));
    }
}
