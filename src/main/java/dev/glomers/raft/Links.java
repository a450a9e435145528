package dev.glomers.raft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Body;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.Wire;
import dev.glomers.raft.RaftMessages.Relay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ways a message takes between members, for every message type alike: directly, or around a one-way
 * link through the other peers ({@link Relay}, the workbench's majorities ring), and the peers' relays this
 * node holds back to pass on together with its own next message. Bundling (one message per peer and step)
 * is {@link Outbox}'s. While messages go around a three-node ring, what waits goes with the next lap
 * ({@link #lapping}, {@code ring-lap-gap}); on larger rings the batching windows widen to {@code ring-window}
 * ({@link #window}).
 */
final class Links {

    /** See {@link #nextLapAt}: longer than a message takes from one node to the next (about a millisecond or two). */
    private static final long LAP_STAGGER = 5;
    /** The longest wait between tries of a broken direct way, in heartbeat intervals. */
    private static final int PROBE_WAIT_LIMIT = 4;

    private final String self;
    private final List<String> peers;
    private final long heartbeat;
    private final long ringWindow;
    /** The least time between two laps of a three-node ring (0: no laps, the windows widen instead). */
    private final long lapGap;
    /** When a message of a member last reached us, or we last sent one: the last lap that passed us. */
    private long lastLapAt = Long.MIN_VALUE / 2;
    /** When a message to us last came passed on, or we last sent one around on purpose (not a probe, not a vote). */
    private long lastDetourAt = Long.MIN_VALUE / 2;
    private final List<Relay> held = new ArrayList<>();
    private long heldUntil = Long.MAX_VALUE;
    /** When a message of each peer last reached us directly (not passed on): the detours worth taking. */
    private final Map<String, Long> heardDirectlyAt = new HashMap<>();

    Links(String self, List<String> peers, long heartbeatMillis, long ringWindowMillis, long lapGapMillis) {
        this.self = self;
        this.peers = peers;
        this.heartbeat = heartbeatMillis;
        this.ringWindow = ringWindowMillis;
        this.lapGap = lapGapMillis;
    }

    boolean isMember(String node) {
        return peers.contains(node);
    }

    /**
     * Sends {@code body} to {@code dest} directly and through every other peer: a vote, or a probe of a broken
     * direct way. Not a detour that widens the windows: a leader probes a follower cut off by an ordinary
     * partition this way too, and its own clients would wait for nothing.
     */
    void sendAllWays(String dest, Body body, long now, Effects out) {
        out.send(dest, body);
        relay(dest, body, now, out);
    }

    /** A message of {@code peer} reached us directly at {@code now}: it is a way out, and a lap passing us. */
    void heardDirectly(String peer, long now) {
        heardDirectlyAt.put(peer, now);
        lastLapAt = now;
    }

    /** We sent a member something at {@code now}: a lap passing us, or starting here. */
    void sentToMembers(long now) {
        lastLapAt = now;
    }

    /**
     * Sends {@code body} to {@code dest} around the direct way: through the other peers heard directly within
     * two heartbeat intervals (a peer we hear is one whose links work; on a five-node ring the leader's
     * neighbours, which are the only ones that reach its non-neighbours), or through every other peer when
     * none was (with three nodes on a ring a follower hears only the leader, and the third node is the way).
     */
    void sendAround(String dest, Body body, long now, Effects out) {
        lastDetourAt = now;
        relay(dest, body, now, out);
    }

    private void relay(String dest, Body body, long now, Effects out) {
        ObjectNode tree = Wire.tree(body);
        List<String> ways = new ArrayList<>();
        for (String peer : peers) {
            if (!peer.equals(dest) && now - heardDirectlyAt.getOrDefault(peer, Long.MIN_VALUE / 2) <= 2 * heartbeat) {
                ways.add(peer);
            }
        }
        if (ways.isEmpty()) {
            peers.stream().filter(peer -> !peer.equals(dest)).forEach(ways::add);
        }
        for (String peer : ways) {
            out.send(peer, new Relay(dest, self, tree));
        }
    }

    /**
     * A relay as received, or null when it is not one to take: malformed, a relay of a relay, or sent on
     * behalf of a non-member (only members speak Raft).
     */
    Relay read(Message message) {
        JsonNode inner = message.body().get("msg");
        String from = message.body().path("from").asText();
        if (inner == null || !inner.isObject() || RaftMessages.RELAY.equals(inner.path("type").asText()) || !isMember(from)) {
            return null;
        }
        return new Relay(message.body().path("to").asText(), from, (ObjectNode) inner);
    }

    /** The message a relay to us carries, as if its sender had sent it to us directly; it came around at {@code now}. */
    Message unwrap(Relay relay, long now) {
        lastDetourAt = now;
        return new Message(relay.from(), self, relay.msg());
    }

    /**
     * The batching window to use now: {@code normal}, or {@code ring-window} if larger while messages go around
     * (a message to us came passed on, or we sent one around, within a heartbeat interval: while a ring lasts
     * something goes around at least that often). Around a
     * one-way link every round trip takes three messages where the direct ways take two, so at a low rate a
     * short window pays about three per operation; a wider one lets operations share each trip. All three
     * nodes of a three-node ring go around (the leader's appends to one follower and the other follower's
     * updates), so their windows widen together and stay aligned (a multiple of the normal window ends on
     * one of its ends too); a heartbeat interval after the direct ways are found again they are back to normal.
     * With {@code ring-lap-gap} set, a three-node ring goes in laps instead ({@link #lapping}).
     */
    long window(Duration normal, long now) {
        long window = normal.toMillis();
        return now - lastDetourAt <= heartbeat ? Math.max(window, ringWindow) : window;
    }

    /**
     * Whether messages go around a three-node ring now, in laps: on a ring {@code L -> D -> U -> L} every
     * operation, wherever it arrives, needs one whole lap from its node (a leader's entry goes to D and its
     * acknowledgement comes back through U; a follower's operation reaches the leader and its entry comes back),
     * and a lap carries whatever each node it passes has pending. So instead of clock-aligned windows, where an
     * operation waits for its window's end and then for the lap, a node with something waiting starts a lap at
     * once unless one passed it within {@code ring-lap-gap} (then at that gap's end, {@link #nextLapAt}), and
     * every node passes a lap on at once with what it has pending. Acknowledgements nobody waits for start no
     * lap: they ride the next one (or go after {@code ack-delay}). Five-node rings keep the wider windows (a lap
     * does not go through every node there).
     */
    boolean lapping(long now) {
        return lapGap > 0 && peers.size() == 2 && now - lastDetourAt <= heartbeat;
    }

    /**
     * When something that waits for a lap goes, when lapping: now, or a gap after the last lap that passed us, plus
     * {@code place} staggers. Every node sees every lap, so their gaps end together: were they to start a lap each
     * then, there would be three where one carries everything. So the gap ends one stagger later at each node along
     * the lap from the leader (place 0, its downstream follower 1, the upstream one 2): the first to start is
     * passed by its lap on the other nodes before their gaps end, and what waits there rides it.
     */
    long nextLapAt(long now, int place) {
        return Math.max(now, lastLapAt + lapGap + place * LAP_STAGGER);
    }

    /** Holds a peer's relay to pass on with our own next message, at the latest at {@code until}. */
    void hold(Relay relay, long until) {
        held.add(relay);
        heldUntil = Math.min(heldUntil, until);
    }

    long heldUntil() {
        return heldUntil;
    }

    void flushHeld(Effects out) {
        for (Relay relay : held) {
            out.send(relay.to(), relay);
        }
        held.clear();
        heldUntil = Long.MAX_VALUE;
    }

    long firstProbeWait() {
        return heartbeat;
    }

    /**
     * Trying a broken direct way costs a message that is lost while the break lasts: the first try comes one
     * heartbeat interval after the break is noticed, each further one waits twice as long, up to four
     * intervals (so a heal is noticed within about that long).
     */
    long nextProbeWait(long wait) {
        return Math.min(2 * wait, PROBE_WAIT_LIMIT * heartbeat);
    }

    /** The end of the batching window {@code now} falls in; windows are aligned to the clock, so all nodes' coincide. */
    static long windowEnd(long now, long window) {
        return window == 0 ? now : (now + window - 1) / window * window;
    }
}
