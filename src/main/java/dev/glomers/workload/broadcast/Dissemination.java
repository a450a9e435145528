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
 * <p>Shape: a tree built from {@code node_ids}; the first node is its root, the <em>hub</em>. With
 * fan-out 0 (no limit) it is a star: the hub's children are all other nodes. A non-hub node puts the
 * values its clients broadcast into its <em>uplink</em> log, read only by the hub. The hub puts
 * every value new to it, its own clients' and the uplinks alike, into its <em>relay</em> log, read
 * by its children; a node with children of its own passes what its parent relays on to them the same
 * way. In the star a value takes two hops to reach everyone, and one hub message per window reaches
 * each node whatever the number of values.
 *
 * <p>Reliability: every log is delivered until each of its readers has acknowledged it. Readers
 * acknowledge cumulatively (highest seq held without a gap) on every message they send the other
 * way, so a sender keeps a few numbers per peer and drops a log's prefix once all its readers hold
 * it: memory does not grow with what everyone already has.
 *
 * <p>A hub cut off by a partition: once the hub has missed an acknowledgement deadline
 * ({@link #suspect}), a node also copies its unacknowledged and new values into its <em>direct</em>
 * log, read by every peer, fanning them out itself until the hub acknowledges again. Nothing is ever
 * given up: after a partition heals every pending log reaches its readers and all nodes converge.
 */
final class Dissemination {

    /** How far each log has been sent to a peer: the acknowledgement a redelivery waits for. */
    record Mark(long up, long rel, long dir) {
    }

    /**
     * What one incoming message changed.
     *
     * @param relayed entries it added to our relay log (for our children)
     */
    record Receipt(int newValues, int relayed, boolean carriedEntries, boolean ackProgress) {
    }

    /** Our view of one peer: for each of our logs how far it was sent and acknowledged, for each of its logs how far we hold it. */
    private static final class Link {
        long upSent;
        long upAcked;
        long relSent;
        long relAcked;
        long dirSent;
        long dirAcked;
        long upHeld;
        long relHeld;
        long dirHeld;
        /** Entries came in that we have not acknowledged yet. */
        boolean ackOwed;
        /** The peer missed an acknowledgement deadline: no regular batches until it answers again. */
        boolean suspect;
    }

    private final String self;
    private final String hub;
    private final String parent;
    private final List<String> children;
    private final Map<String, Link> links = new LinkedHashMap<>();
    private final Set<Long> values = new LinkedHashSet<>();
    private final SeqLog uplink = new SeqLog();
    private final SeqLog relay = new SeqLog();
    private final SeqLog direct = new SeqLog();
    /** Uplink entries up to this seq have been copied into the direct log while the hub was unreachable. */
    private long copiedToDirect;
    private boolean hubUnreachable;

    /** A star around the first node. */
    Dissemination(String self, List<String> nodeIds) {
        this(self, nodeIds, 0);
    }

    /**
     * @param fanOut most children per node; 0 for no limit (a star). Node i of {@code nodeIds} has
     *               the children fanOut * i + 1 .. fanOut * i + fanOut, so every node derives the
     *               same tree.
     */
    Dissemination(String self, List<String> nodeIds, int fanOut) {
        int index = nodeIds.indexOf(self);
        if (index < 0) {
            throw new IllegalArgumentException(self + " is not one of " + nodeIds);
        }
        if (fanOut < 0) {
            throw new IllegalArgumentException("fan-out must be 0 (no limit) or positive: " + fanOut);
        }
        this.self = self;
        this.hub = nodeIds.get(0);
        int width = fanOut == 0 ? Math.max(1, nodeIds.size() - 1) : fanOut;
        this.parent = index == 0 ? null : nodeIds.get((index - 1) / width);
        List<String> mine = new ArrayList<>();
        for (int child = width * index + 1; child <= width * index + width && child < nodeIds.size(); child++) {
            mine.add(nodeIds.get(child));
        }
        this.children = List.copyOf(mine);
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

    /** The nodes our relay log goes to. */
    List<String> children() {
        return children;
    }

    /** The node whose relay log we read; null for the hub. */
    String parent() {
        return parent;
    }

    boolean isPeer(String node) {
        return links.containsKey(node);
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
                direct.append(value);
                copiedToDirect = uplink.last();
            }
        }
        return true;
    }

    /** Every value this node holds, in the order it learnt them. */
    List<Long> read() {
        return new ArrayList<>(values);
    }

    // ---- outgoing -----------------------------------------------------------------------

    /** Whether {@code peer} has log entries never sent to it. */
    boolean hasUnsent(String peer) {
        Link link = link(peer);
        return (peer.equals(hub) && uplink.last() > link.upSent)
                || (children.contains(peer) && relay.last() > link.relSent)
                || direct.last() > link.dirSent;
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
        return link.upSent > link.upAcked || link.relSent > link.relAcked || link.dirSent > link.dirAcked;
    }

    /** The message carrying what {@code peer} was never sent, plus our acknowledgements. */
    Gossip next(String peer) {
        Link link = link(peer);
        return message(peer, link.upSent, link.relSent, link.dirSent);
    }

    /** The message carrying everything {@code peer} has not acknowledged: a redelivery. */
    Gossip resend(String peer) {
        Link link = link(peer);
        return message(peer, link.upAcked, link.relAcked, link.dirAcked);
    }

    private Gossip message(String peer, long upAfter, long relAfter, long dirAfter) {
        Link link = link(peer);
        List<Long> up = List.of();
        List<Long> rel = List.of();
        if (peer.equals(hub)) {
            up = uplink.after(upAfter);
            link.upSent = Math.max(link.upSent, uplink.last());
        }
        if (children.contains(peer)) {
            rel = relay.after(relAfter);
            link.relSent = Math.max(link.relSent, relay.last());
        }
        List<Long> dir = direct.after(dirAfter);
        link.dirSent = Math.max(link.dirSent, direct.last());
        link.ackOwed = false;
        return new Gossip(
                uplink.last() - up.size() + 1, up,
                relay.last() - rel.size() + 1, rel,
                direct.last() - dir.size() + 1, dir,
                link.upHeld, link.relHeld, link.dirHeld);
    }

    /** What must be acknowledged for everything sent to {@code peer} so far to be delivered. */
    Mark sent(String peer) {
        Link link = link(peer);
        return new Mark(link.upSent, link.relSent, link.dirSent);
    }

    boolean acknowledged(String peer, Mark mark) {
        Link link = link(peer);
        return link.upAcked >= mark.up() && link.relAcked >= mark.rel() && link.dirAcked >= mark.dir();
    }

    // ---- incoming -----------------------------------------------------------------------

    /** Merges a message from {@code peer}: its values, and its acknowledgements of our logs. */
    Receipt receive(String peer, Gossip gossip) {
        Link link = link(peer);
        int fresh = 0;
        int relayed = 0;
        for (long value : gossip.up()) {
            // Whoever uplinks to us takes us for the hub: what is new to us goes down the tree.
            if (values.add(value)) {
                fresh++;
                relayed += relay(value);
            }
        }
        long relHeld = held(link.relHeld, gossip.relFrom(), gossip.rel().size());
        for (int i = 0; i < gossip.rel().size(); i++) {
            long value = gossip.rel().get(i);
            if (values.add(value)) {
                fresh++;
            }
            // Pass on, in order and once, what our parent relays, even values we knew: our own
            // clients' values reach our children this way.
            long seq = gossip.relFrom() + i;
            if (peer.equals(parent) && seq > link.relHeld && seq <= relHeld) {
                relayed += relay(value);
            }
        }
        for (long value : gossip.dir()) {
            if (values.add(value)) {
                fresh++;
            }
        }
        link.upHeld = held(link.upHeld, gossip.upFrom(), gossip.up().size());
        link.relHeld = relHeld;
        link.dirHeld = held(link.dirHeld, gossip.dirFrom(), gossip.dir().size());
        if (gossip.carriesEntries()) {
            link.ackOwed = true;
        }

        // Acknowledgements can only cover what was sent; anything beyond is ignored.
        long upAcked = Math.max(link.upAcked, Math.min(gossip.upAck(), link.upSent));
        long relAcked = Math.max(link.relAcked, Math.min(gossip.relAck(), link.relSent));
        long dirAcked = Math.max(link.dirAcked, Math.min(gossip.dirAck(), link.dirSent));
        boolean progress = upAcked > link.upAcked || relAcked > link.relAcked || dirAcked > link.dirAcked;
        link.upAcked = upAcked;
        link.relAcked = relAcked;
        link.dirAcked = dirAcked;
        if (progress) {
            link.suspect = false;
            if (peer.equals(hub)) {
                hubUnreachable = false;
            }
            dropAcknowledged();
        }
        return new Receipt(fresh, relayed, gossip.carriesEntries(), progress);
    }

    private int relay(long value) {
        if (children.isEmpty()) {
            return 0; // a leaf of the tree (or a node alone) has nobody to pass it to
        }
        relay.append(value);
        return 1;
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
        long allChildren = relay.last();
        for (String child : children) {
            allChildren = Math.min(allChildren, link(child).relAcked);
        }
        relay.dropThrough(allChildren);
        long everyone = direct.last();
        for (Link link : links.values()) {
            everyone = Math.min(everyone, link.dirAcked);
        }
        direct.dropThrough(everyone);
    }

    // ---- failures -----------------------------------------------------------------------

    /**
     * {@code peer} missed an acknowledgement deadline. Regular batches to it stop (redelivery
     * attempts go on) until it acknowledges again. If it is the hub, our values no longer wait for
     * it: they go into our direct log, to every peer.
     */
    void suspect(String peer) {
        link(peer).suspect = true;
        if (peer.equals(hub) && !isHub()) {
            hubUnreachable = true;
            for (long value : uplink.after(Math.max(copiedToDirect, link(hub).upAcked))) {
                direct.append(value);
            }
            copiedToDirect = uplink.last();
        }
    }

    boolean hubUnreachable() {
        return hubUnreachable;
    }

    /** Entries held for peers that have not acknowledged them (all logs): what memory depends on. */
    int retained() {
        return uplink.size() + relay.size() + direct.size();
    }

    private Link link(String peer) {
        Link link = links.get(peer);
        if (link == null) {
            throw new IllegalArgumentException("not a peer: " + peer);
        }
        return link;
    }
}
