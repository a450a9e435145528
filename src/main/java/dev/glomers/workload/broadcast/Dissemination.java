package dev.glomers.workload.broadcast;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The broadcast algorithm as a state machine: no threads, no clocks, no I/O. The driver
 * ({@link BroadcastWorkload}) decides when to call it (batching windows, ack delays, redelivery
 * attempts) and sends the {@link Gossip} messages it returns.
 *
 * <p>Shape: a star. The hub is the first of {@code node_ids}. A leaf puts the values its clients
 * broadcast into its <em>uplink</em> log, read only by the hub; the hub puts every value that is new
 * to it, its own clients' and the leaves' uplinks alike, into its <em>relay</em> log, read by every
 * peer. A value thus takes two hops to reach everyone, and one hub message per window reaches each
 * leaf whatever the number of values.
 *
 * <p>Reliability: every log is delivered until each of its readers has acknowledged it. Readers
 * acknowledge cumulatively (highest seq held without a gap), on every message they send the other
 * way, so a sender keeps two numbers per peer and drops a log's prefix once every reader holds it:
 * memory does not grow with what everyone already has.
 *
 * <p>A hub cut off by a partition: once the hub has missed an acknowledgement deadline
 * ({@link #suspect}), a leaf also copies its unacknowledged and new values into its own relay log,
 * fanning them out directly to every peer it can reach, until the hub acknowledges again. Nothing
 * is ever given up: after a partition heals, every pending log reaches every peer and all nodes
 * converge.
 */
final class Dissemination {

    /** How far each of a peer's two logs has been sent, used as an acknowledgement target. */
    record Mark(long up, long rel) {
    }

    /** What one incoming message changed. */
    record Receipt(int newValues, boolean carriedEntries, boolean ackProgress) {
    }

    /** Our view of one peer. */
    private static final class Link {
        // our logs towards the peer: sent up to, acknowledged up to
        long upSent;
        long upAcked;
        long relSent;
        long relAcked;
        // the peer's logs towards us: held without a gap up to
        long upHeld;
        long relHeld;
        /** Entries came in that we have not acknowledged yet. */
        boolean ackOwed;
        /** The peer missed an acknowledgement deadline: no regular batches until it answers again. */
        boolean suspect;
    }

    private final String self;
    private final String hub;
    private final Map<String, Link> links = new LinkedHashMap<>();
    private final Set<Long> values = new LinkedHashSet<>();
    private final SeqLog uplink = new SeqLog();
    private final SeqLog relay = new SeqLog();
    /** Uplink entries up to this seq have been copied into the relay log while the hub was unreachable. */
    private long copiedToRelay;
    private boolean hubUnreachable;

    Dissemination(String self, List<String> nodeIds) {
        if (!nodeIds.contains(self)) {
            throw new IllegalArgumentException(self + " is not one of " + nodeIds);
        }
        this.self = self;
        this.hub = nodeIds.get(0);
        for (String node : nodeIds) {
            if (!node.equals(self)) {
                links.put(node, new Link());
            }
        }
    }

    String hub() {
        return hub;
    }

    boolean isHub() {
        return self.equals(hub);
    }

    List<String> peers() {
        return List.copyOf(links.keySet());
    }

    // ---- clients ------------------------------------------------------------------------

    /** A client broadcast {@code value}; returns false if this node already had it. */
    boolean broadcast(long value) {
        if (!values.add(value)) {
            return false;
        }
        if (isHub()) {
            relay(value);
        } else {
            uplink.append(value);
            if (hubUnreachable) {
                relay(value);
                copiedToRelay = uplink.last();
            }
        }
        return true;
    }

    /** Every value this node holds, in the order it learnt them. */
    List<Long> read() {
        return new ArrayList<>(values);
    }

    int valueCount() {
        return values.size();
    }

    // ---- outgoing -----------------------------------------------------------------------

    /** Whether {@code peer} has log entries never sent to it. */
    boolean hasUnsent(String peer) {
        Link link = link(peer);
        return relay.last() > link.relSent || (peer.equals(hub) && uplink.last() > link.upSent);
    }

    boolean ackOwed(String peer) {
        return link(peer).ackOwed;
    }

    boolean isSuspect(String peer) {
        return link(peer).suspect;
    }

    /** Whether something sent to {@code peer} still waits for its acknowledgement. */
    boolean awaitsAck(String peer) {
        Link link = link(peer);
        return link.upSent > link.upAcked || link.relSent > link.relAcked;
    }

    /** The message carrying what {@code peer} was never sent, plus our acknowledgements. */
    Gossip next(String peer) {
        Link link = link(peer);
        return message(peer, link.upSent, link.relSent);
    }

    /** The message carrying everything {@code peer} has not acknowledged: a redelivery. */
    Gossip resend(String peer) {
        Link link = link(peer);
        return message(peer, link.upAcked, link.relAcked);
    }

    private Gossip message(String peer, long upAfter, long relAfter) {
        Link link = link(peer);
        List<Long> up = peer.equals(hub) ? uplink.after(upAfter) : List.of();
        List<Long> rel = relay.after(relAfter);
        if (peer.equals(hub)) {
            link.upSent = Math.max(link.upSent, uplink.last());
        }
        link.relSent = Math.max(link.relSent, relay.last());
        link.ackOwed = false;
        return new Gossip(uplink.last() - up.size() + 1, up, relay.last() - rel.size() + 1, rel, link.upHeld, link.relHeld);
    }

    /** What must be acknowledged for everything sent to {@code peer} so far to be delivered. */
    Mark sent(String peer) {
        Link link = link(peer);
        return new Mark(link.upSent, link.relSent);
    }

    boolean acknowledged(String peer, Mark mark) {
        Link link = link(peer);
        return link.upAcked >= mark.up() && link.relAcked >= mark.rel();
    }

    // ---- incoming -----------------------------------------------------------------------

    /** Merges a message from {@code peer}: its values, and its acknowledgements of our logs. */
    Receipt receive(String peer, Gossip gossip) {
        Link link = link(peer);
        int fresh = 0;
        for (long value : gossip.up()) {
            // Whoever uplinks to us takes us for its hub: what is new to us, we relay to everyone.
            if (values.add(value)) {
                relay(value);
                fresh++;
            }
        }
        for (long value : gossip.rel()) {
            if (values.add(value)) {
                fresh++;
            }
        }
        link.upHeld = held(link.upHeld, gossip.upFrom(), gossip.up().size());
        link.relHeld = held(link.relHeld, gossip.relFrom(), gossip.rel().size());
        if (gossip.carriesEntries()) {
            link.ackOwed = true;
        }

        // Acknowledgements can only cover what was sent; anything beyond is ignored.
        long upAcked = Math.max(link.upAcked, Math.min(gossip.upAck(), link.upSent));
        long relAcked = Math.max(link.relAcked, Math.min(gossip.relAck(), link.relSent));
        boolean progress = upAcked > link.upAcked || relAcked > link.relAcked;
        link.upAcked = upAcked;
        link.relAcked = relAcked;
        if (progress) {
            link.suspect = false;
            if (peer.equals(hub)) {
                hubUnreachable = false;
            }
            dropAcknowledged();
        }
        return new Receipt(fresh, gossip.carriesEntries(), progress);
    }

    private void relay(long value) {
        if (!links.isEmpty()) { // a node alone has nobody to tell
            relay.append(value);
        }
    }

    /** A slice [from, from + count) extends what is held only if it starts no later than right after it. */
    private static long held(long held, long from, int count) {
        if (count == 0 || from > held + 1) {
            return held;
        }
        return Math.max(held, from + count - 1);
    }

    private void dropAcknowledged() {
        if (!isHub()) {
            uplink.dropThrough(link(hub).upAcked);
        }
        long everyone = relay.last();
        for (Link link : links.values()) {
            everyone = Math.min(everyone, link.relAcked);
        }
        relay.dropThrough(everyone);
    }

    // ---- failures -----------------------------------------------------------------------

    /**
     * {@code peer} missed an acknowledgement deadline. Regular batches to it stop (redelivery
     * attempts go on) until it acknowledges again. If it is our hub, our values no longer wait for
     * it: they go into our own relay log, to every peer directly.
     */
    void suspect(String peer) {
        link(peer).suspect = true;
        if (peer.equals(hub) && !isHub()) {
            hubUnreachable = true;
            for (long value : uplink.after(Math.max(copiedToRelay, link(hub).upAcked))) {
                relay(value);
            }
            copiedToRelay = uplink.last();
        }
    }

    boolean hubUnreachable() {
        return hubUnreachable;
    }

    /** Entries held for peers that have not acknowledged them (both logs): what memory depends on. */
    int retained() {
        return uplink.size() + relay.size();
    }

    private Link link(String peer) {
        Link link = links.get(peer);
        if (link == null) {
            throw new IllegalArgumentException("not a peer: " + peer);
        }
        return link;
    }

    boolean isPeer(String node) {
        return links.containsKey(node);
    }
}
