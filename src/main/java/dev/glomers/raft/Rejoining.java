package dev.glomers.raft;

import dev.glomers.node.Effects;
import dev.glomers.raft.RaftMessages.Rejoin;
import java.util.List;

/**
 * How a node that knows no leader gets whoever leads to speak to it: a {@link Rejoin} to every peer when it
 * starts, and again, at most once per heartbeat interval, while its own clients wait for a leader. A leader
 * answers with an append at once ({@link LeaderSide#onRejoin}); nobody else answers. Why: a leader sends to a
 * follower it has not heard for long only once per maximum election timeout, and a node cut off (or restarted
 * inside a partition, its first rejoin lost) backs its pre-votes off to several timeouts, so after the heal
 * its clients got 11 for up to 1.8 s (1.2-1.5 s seen on the runner). While a node hears its leader, or while
 * none of its clients waits, this sends nothing.
 */
final class Rejoining {

    private final List<String> peers;
    private final long interval;
    private long nextAskAt;

    Rejoining(List<String> peers, long heartbeatMillis) {
        this.peers = peers;
        this.interval = heartbeatMillis;
    }

    /** A (re)start: whoever leads hears of us at once, and answers with an append; until then our clients wait. */
    void start(long lastIndex, long now, Effects out) {
        ask(lastIndex, now, out);
    }

    /** When to ask again, for a node that knows no leader while its clients wait. */
    long askAt() {
        return nextAskAt;
    }

    /** A node that knows no leader, with clients waiting: asks now unless it asked within the interval. */
    void clientsWait(long lastIndex, long now, Effects out) {
        if (now >= nextAskAt) {
            ask(lastIndex, now, out);
        }
    }

    private void ask(long lastIndex, long now, Effects out) {
        Rejoin rejoin = new Rejoin(lastIndex);
        peers.forEach(peer -> out.send(peer, rejoin));
        nextAskAt = now + interval;
    }
}
