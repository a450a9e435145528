package dev.glomers.delivery;

import dev.glomers.node.RpcError;
import dev.glomers.retry.Backoff;
import io.github.resilience4j.retry.Retry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reliable, ordered delivery of a node's logs to its peers: the one primitive behind broadcast, txn
 * replication and kafka replication. Pure: no clock, no threads, no I/O; every call takes the time
 * {@code now} (ms) from the core that owns it, and what must go out is handed to an {@link Outlet}.
 *
 * <h2>Model</h2>
 * A node keeps a fixed number of <em>logs</em> (indices 0..n-1, the same on every node), each read by a
 * fixed set of peers. {@link #append} numbers entries 1, 2, 3, ... per log. Every message between two
 * nodes carries a {@link Parcel}: per log the slice the receiver has not been sent yet, and per log of
 * the receiver how far the sender holds it without a gap, so acknowledgements are cumulative and ride on
 * whatever goes the other way. A log's prefix that all its readers acknowledged is dropped: memory holds
 * only what some reader still lacks. The receiver applies each peer's entries in seq order and once
 * ({@link Receipt#fresh}).
 *
 * <h2>Timing rules (all here, as functions of {@code now})</h2>
 * <ul>
 * <li><b>Bare acknowledgements.</b> A parcel with entries makes this node owe the sender an
 *     acknowledgement. Any parcel to that peer pays it; if none went for {@code ackDelay},
 *     {@link #tick} sends one (with whatever the peer was never sent).</li>
 * <li><b>Deadlines and suspicion.</b> Once entries went to a peer, everything sent so far must be
 *     acknowledged within {@code ackTimeout}. A peer that misses the deadline is <em>suspect</em>
 *     ({@link #isSuspect}) until it acknowledges something again: callers stop sending it regular
 *     batches, which redelivery covers.</li>
 * <li><b>Redelivery.</b> After a missed deadline the Resilience4j policy given (used as data through
 *     {@link Backoff}) says how long to wait; then {@link #tick} goes back to what the peer
 *     acknowledged and sends it all again (go-back-N, at most {@code maxPerParcel} entries; the rest
 *     counts as never sent), with a new deadline. Nothing is ever given up: if the policy is
 *     exhausted, the next attempt comes {@code ackTimeout} later and a fresh chain starts.</li>
 * </ul>
 *
 * <h2>Restarts</h2>
 * A node that can restart is given an {@link #incarnate incarnation}, larger in every run; every parcel
 * carries the sender's and the one it knows of the receiver. A restarted node numbers its logs from 1 and
 * holds nothing of its peers' logs. A peer that sees its new incarnation forgets what it held of the old
 * one's logs, goes back to what the node acknowledged of its own logs (in any incarnation: the node's core
 * persisted what it applied before the acknowledgement left) and resends the rest, with <em>floors</em>
 * telling the node where to start holding. Parcels of a dead incarnation are ignored; acknowledgements
 * addressed to one are too. What the restarted node's own logs held before is gone: its core re-offers
 * what it recovered. Applying must be idempotent: around a restart an entry can arrive again.
 *
 * <h2>Use</h2>
 * <pre>
 * Delivery&lt;Long&gt; delivery = new Delivery&lt;&gt;(peers, List.of(readersOfLog0, readersOfLog1), timing, retries.policy("x"));
 * delivery.append(0, value);                               // a new entry for the readers of log 0
 * if (delivery.hasUnsent(peer) &amp;&amp; !delivery.isSuspect(peer)) {
 *     out.send(peer, toWire(delivery.next(peer, now)));    // when the caller's batching says so
 * }
 * Receipt&lt;Long&gt; receipt = delivery.receive(peer, fromWire(body), now);   // apply receipt.fresh(log)
 * delivery.tick(now, (peer, parcel) -&gt; out.send(peer, toWire(parcel)));     // bare acks, redelivery
 * long wake = delivery.wakeAt();                           // part of the core's own wakeAt()
 * </pre>
 * Which peers read which log, and when regular batches go out (windows, intervals, at once), is the
 * caller's business; this class only decides what a parcel holds, acknowledgements and redelivery.
 */
public final class Delivery<T> {

    private static final long NEVER = Long.MAX_VALUE;

    /** Where {@link #tick} hands the parcels it decided to send. */
    @FunctionalInterface
    public interface Outlet<T> {
        void send(String peer, Parcel<T> parcel);
    }

    /**
     * @param ackDelayMillis   a bare acknowledgement goes out when one has been owed this long
     * @param ackTimeoutMillis what was sent must be acknowledged within this long, or the peer is suspect
     *                         and redelivery starts; longer than {@code ackDelayMillis} plus a round trip
     *                         plus the caller's batching window, or healthy batches get sent twice
     * @param maxPerParcel     most entries in one parcel (all logs together)
     */
    public record Timing(long ackDelayMillis, long ackTimeoutMillis, int maxPerParcel) {

        public Timing {
            if (ackDelayMillis < 0 || ackTimeoutMillis <= ackDelayMillis) {
                throw new IllegalArgumentException("the ack timeout (" + ackTimeoutMillis + " ms) must exceed the ack delay ("
                        + ackDelayMillis + " ms), or every batch is sent twice");
            }
            if (maxPerParcel <= 0) {
                throw new IllegalArgumentException("a parcel must hold at least one entry: " + maxPerParcel);
            }
        }

        /** No limit on the entries per parcel. */
        public static Timing of(Duration ackDelay, Duration ackTimeout) {
            return new Timing(ackDelay.toMillis(), ackTimeout.toMillis(), Integer.MAX_VALUE);
        }
    }

    private final List<OutgoingLog<T>> logs = new ArrayList<>();
    private final Map<String, PeerLink<T>> links = new LinkedHashMap<>();
    private final Timing timing;
    /** This node's incarnation: 0 for a node that never restarts, else larger in every run (see {@link #incarnate}). */
    private long incarnation;

    /**
     * @param peers      every node this one exchanges parcels with
     * @param readers    per log, the peers that read it (a subset of {@code peers}); the list's size is
     *                   the number of logs, the same on every node
     * @param redelivery the Resilience4j policy that paces redelivery after a missed deadline
     */
    public Delivery(Collection<String> peers, List<? extends Collection<String>> readers, Timing timing, Retry redelivery) {
        this.timing = timing;
        Set<String> known = new LinkedHashSet<>(peers);
        for (Collection<String> logReaders : readers) {
            if (!known.containsAll(logReaders)) {
                throw new IllegalArgumentException("readers " + logReaders + " are not all peers " + peers);
            }
            logs.add(new OutgoingLog<>(logReaders));
        }
        for (String peer : known) {
            links.put(peer, new PeerLink<>(logs.size(), new Backoff(redelivery)));
        }
    }

    // ---- incarnations --------------------------------------------------------------------------

    /**
     * Makes this node incarnation {@code incarnation} (at least 1), before any parcel is built or taken.
     * A node that can restart needs one, larger in every run (the caller persists it: a restarted node's
     * seqs start from 1 again, and peers tell the runs apart by it). Peers that see a new incarnation go
     * back to what it acknowledged and resend the rest; parcels of an older one are ignored.
     */
    public void incarnate(long incarnation) {
        if (incarnation < 1) {
            throw new IllegalArgumentException("an incarnation is at least 1: " + incarnation);
        }
        this.incarnation = incarnation;
    }

    public long incarnation() {
        return incarnation;
    }

    /**
     * Every peer gets a parcel at the next {@link #tick} (bare unless there is something to send): a
     * restarted node shows its new incarnation at once, so its peers resend what it lost rather than
     * after their acknowledgement deadline.
     */
    public void announce() {
        links.values().forEach(link -> link.bareAckAt = Long.MIN_VALUE);
    }

    // ---- logs -------------------------------------------------------------------------------

    /** Appends an entry to {@code log} for its readers and returns its seq. A log nobody reads keeps nothing. */
    public long append(int log, T entry) {
        OutgoingLog<T> target = logs.get(log);
        target.last++;
        if (!target.readers.isEmpty()) {
            target.entries.addLast(entry);
        }
        return target.last;
    }

    /** The seq of the last entry ever appended to {@code log} (0 when none was). */
    public long last(int log) {
        return logs.get(log).last;
    }

    /** The entries of {@code log} after seq {@code seq} that are still held (some reader lacks them). */
    public List<T> after(int log, long seq) {
        return logs.get(log).after(seq, Integer.MAX_VALUE);
    }

    /** Entries held for readers that have not acknowledged them, over all logs: what memory depends on. */
    public int retained() {
        return logs.stream().mapToInt(log -> log.entries.size()).sum();
    }

    // ---- peers ------------------------------------------------------------------------------

    public boolean isPeer(String node) {
        return links.containsKey(node);
    }

    public List<String> peers() {
        return List.copyOf(links.keySet());
    }

    /** How far {@code peer} acknowledged {@code log}. */
    public long acked(String peer, int log) {
        return link(peer).acked[log];
    }

    /** How far we hold {@code peer}'s {@code log} without a gap. */
    public long held(String peer, int log) {
        return link(peer).held[log];
    }

    /** Whether {@code peer} reads entries it was never sent. */
    public boolean hasUnsent(String peer) {
        PeerLink<T> link = link(peer);
        for (int log = 0; log < logs.size(); log++) {
            if (logs.get(log).readers.contains(peer) && logs.get(log).last > link.sent[log]) {
                return true;
            }
        }
        return false;
    }

    /** Whether something sent to {@code peer} waits for its acknowledgement. */
    public boolean awaitsAck(String peer) {
        return link(peer).awaitsAck();
    }

    /** Whether {@code peer} missed an acknowledgement deadline and has acknowledged nothing since. */
    public boolean isSuspect(String peer) {
        return link(peer).suspect;
    }

    // ---- sending ----------------------------------------------------------------------------

    /**
     * The parcel for {@code peer} now: what it was never sent (at most {@code maxPerParcel} entries) and
     * our acknowledgements of its logs. The caller must send it: from here on it counts as sent, it pays
     * what we owed the peer, and entries in it start the acknowledgement deadline if none runs.
     */
    public Parcel<T> next(String peer, long now) {
        PeerLink<T> link = link(peer);
        List<Slice<T>> slices = new ArrayList<>(logs.size());
        int room = timing.maxPerParcel();
        boolean entries = false;
        for (int index = 0; index < logs.size(); index++) {
            OutgoingLog<T> log = logs.get(index);
            if (!log.readers.contains(peer) || room == 0) {
                slices.add(Slice.empty(log.last + 1));
                continue;
            }
            List<T> slice = log.after(link.sent[index], room);
            long from = Math.max(link.sent[index] + 1, log.first());
            slices.add(new Slice<>(from, slice));
            if (!slice.isEmpty()) {
                link.sent[index] = from + slice.size() - 1;
                room -= slice.size();
                entries = true;
            }
        }
        link.bareAckAt = NEVER;
        if (entries && link.target == null) {
            link.target = link.sent.clone();
            link.ackDueAt = now + timing.ackTimeoutMillis();
        }
        return new Parcel<>(slices, acks(link), incarnation, link.incarnation, link.floors());
    }

    /**
     * Our acknowledgements of {@code peer}'s logs alone, for a message that carries no entries of ours
     * (a reply, say); the caller must send them: they pay what we owed the peer. They carry no
     * incarnations: a node that can restart sends {@link #next} instead.
     */
    public List<Long> acknowledgements(String peer) {
        PeerLink<T> link = link(peer);
        link.bareAckAt = NEVER;
        return acks(link);
    }

    private static List<Long> acks(PeerLink<?> link) {
        List<Long> acks = new ArrayList<>(link.held.length);
        for (long held : link.held) {
            acks.add(held);
        }
        return acks;
    }

    // ---- receiving --------------------------------------------------------------------------

    /**
     * Takes a parcel from {@code peer}: its entries (applied in order, once) and its acknowledgements of ours.
     * A parcel of an incarnation of the peer older than one seen is ignored (that run is dead, and its seqs
     * are not the ones counted now); acknowledgements count only when addressed to our current incarnation.
     */
    public Receipt<T> receive(String peer, Parcel<T> parcel, long now) {
        PeerLink<T> link = link(peer);
        if (parcel.incarnation() < link.incarnation) {
            return Receipt.nothing();
        }
        boolean restarted = false;
        if (parcel.incarnation() > link.incarnation) {
            // The first one seen is only recorded: we hold nothing of the peer's that a restart could void.
            restarted = link.incarnation != 0;
            if (restarted) {
                link.restarted(parcel.incarnation());
            }
            link.incarnation = parcel.incarnation();
        }
        List<List<T>> fresh = new ArrayList<>(parcel.slices().size());
        for (int log = 0; log < parcel.slices().size() && log < link.held.length; log++) {
            fresh.add(accept(link, log, parcel.slice(log), parcel.floor(log)));
        }
        if (parcel.carriesEntries() && link.bareAckAt == NEVER) {
            // Owed even for a duplicate: our last acknowledgement may have been lost.
            link.bareAckAt = now + timing.ackDelayMillis();
        }
        boolean progress = false;
        if (parcel.peerIncarnation() != incarnation) {
            return new Receipt<>(fresh, false, restarted); // acknowledgements of a run of ours that is over
        }
        boolean caughtUp = true;
        for (int log = 0; log < logs.size(); log++) {
            // An acknowledgement can only cover what was sent; anything beyond is ignored.
            long acked = Math.min(parcel.ack(log), link.sent[log]);
            if (acked > link.acked[log]) {
                link.acked[log] = acked;
                progress = true;
            }
            caughtUp &= parcel.ack(log) >= link.acked[log];
        }
        if (caughtUp) {
            link.floorsOwed = false; // it holds all it acknowledged in any incarnation: floors say nothing new
        }
        if (progress) {
            acknowledged(link, now);
        }
        return new Receipt<>(fresh, progress, restarted);
    }

    /**
     * The entries of a slice that extend what we hold of the peer's log, plus any held back that now follow
     * on. A floor above what we hold (we restarted; our core kept what we acknowledged) is taken as held.
     */
    private List<T> accept(PeerLink<T> link, int log, Slice<T> slice, long floor) {
        TreeMap<Long, T> early = link.early(log);
        if (floor > link.held[log]) {
            link.held[log] = floor;
            early.headMap(floor, true).clear();
        } else if (slice.isEmpty()) {
            return List.of();
        }
        for (int i = 0; i < slice.entries().size(); i++) {
            long seq = slice.from() + i;
            if (seq > link.held[log]) {
                early.putIfAbsent(seq, slice.entries().get(i));
            }
        }
        List<T> fresh = new ArrayList<>();
        while (!early.isEmpty() && early.firstKey() == link.held[log] + 1) {
            fresh.add(early.pollFirstEntry().getValue());
            link.held[log]++;
        }
        return fresh;
    }

    private void acknowledged(PeerLink<T> link, long now) {
        link.suspect = false;
        for (int index = 0; index < logs.size(); index++) {
            OutgoingLog<T> log = logs.get(index);
            long everyone = log.last;
            for (String reader : log.readers) {
                everyone = Math.min(everyone, links.get(reader).acked[index]);
            }
            log.dropThrough(everyone);
        }
        if (link.target != null && covers(link.acked, link.target)) {
            link.backoff.succeeded();
            link.target = null;
            link.ackDueAt = NEVER;
            link.redeliverAt = NEVER;
            if (link.awaitsAck()) {
                // Sent while the attempt ran: it gets its own deadline from now.
                link.target = link.sent.clone();
                link.ackDueAt = now + timing.ackTimeoutMillis();
            }
        }
    }

    private static boolean covers(long[] acked, long[] target) {
        for (int log = 0; log < target.length; log++) {
            if (acked[log] < target[log]) {
                return false;
            }
        }
        return true;
    }

    // ---- time -------------------------------------------------------------------------------

    /** Missed deadlines make peers suspect and schedule redelivery; due redeliveries and bare acknowledgements go out. */
    public void tick(long now, Outlet<T> out) {
        links.forEach((peer, link) -> {
            if (now >= link.ackDueAt) {
                link.suspect = true;
                link.ackDueAt = NEVER;
                long wait = link.backoff.afterFailure(RpcError.timeout(
                        "no acknowledgement from " + peer + " within " + timing.ackTimeoutMillis() + " ms"));
                link.redeliverAt = now + (wait == Backoff.GIVE_UP ? timing.ackTimeoutMillis() : wait);
            }
            if (now >= link.redeliverAt) {
                link.redeliverAt = NEVER;
                link.target = null;
                if (link.awaitsAck()) {
                    System.arraycopy(link.acked, 0, link.sent, 0, link.sent.length); // go back to what it holds
                    out.send(peer, next(peer, now));
                }
            }
            if (now >= link.bareAckAt) {
                out.send(peer, next(peer, now));
            }
        });
    }

    /** When {@link #tick} next has something to do; {@link Long#MAX_VALUE} when nothing waits. */
    public long wakeAt() {
        long wake = NEVER;
        for (PeerLink<T> link : links.values()) {
            wake = Math.min(wake, Math.min(link.bareAckAt, Math.min(link.ackDueAt, link.redeliverAt)));
        }
        return wake;
    }

    private PeerLink<T> link(String peer) {
        PeerLink<T> link = links.get(peer);
        if (link == null) {
            throw new IllegalArgumentException("not a peer: " + peer);
        }
        return link;
    }
}
