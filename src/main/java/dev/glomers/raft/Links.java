package dev.glomers.raft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Body;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.Wire;
import dev.glomers.raft.RaftMessages.Relay;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ways a message takes between members, for every message type alike: directly, or around a one-way
 * link through the other peers ({@link Relay}, the workbench's majorities ring), and the peers' relays this
 * node holds back to pass on together with its own next message. Bundling (one message per peer and step)
 * is {@link Outbox}'s.
 */
final class Links {

    /** The longest wait between tries of a broken direct way, in heartbeat intervals. */
    private static final int PROBE_WAIT_LIMIT = 4;

    private final String self;
    private final List<String> peers;
    private final long heartbeat;
    private final List<Relay> held = new ArrayList<>();
    private long heldUntil = Long.MAX_VALUE;
    /** When a message of each peer last reached us directly (not passed on): the detours worth taking. */
    private final Map<String, Long> heardDirectlyAt = new HashMap<>();

    Links(String self, List<String> peers, long heartbeatMillis) {
        this.self = self;
        this.peers = peers;
        this.heartbeat = heartbeatMillis;
    }

    boolean isMember(String node) {
        return peers.contains(node);
    }

    /** Sends {@code body} to {@code dest} directly and through every other peer. */
    void sendAllWays(String dest, Body body, long now, Effects out) {
        out.send(dest, body);
        sendAround(dest, body, now, out);
    }

    /** A message of {@code peer} reached us directly at {@code now}: it is a way out. */
    void heardDirectly(String peer, long now) {
        heardDirectlyAt.put(peer, now);
    }

    /**
     * Sends {@code body} to {@code dest} around the direct way: through the other peers heard directly within
     * two heartbeat intervals (a peer we hear is one whose links work; on a five-node ring the leader's
     * neighbours, which are the only ones that reach its non-neighbours), or through every other peer when
     * none was (with three nodes on a ring a follower hears only the leader, and the third node is the way).
     */
    void sendAround(String dest, Body body, long now, Effects out) {
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

    /** The message a relay carries, as if its sender had sent it to us directly. */
    Message unwrap(Relay relay) {
        return new Message(relay.from(), self, relay.msg());
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
