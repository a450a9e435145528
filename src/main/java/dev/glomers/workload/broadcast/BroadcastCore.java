package dev.glomers.workload.broadcast;

import dev.glomers.delivery.Delivery;
import dev.glomers.delivery.Parcel;
import dev.glomers.delivery.Receipt;
import dev.glomers.node.Body;
import dev.glomers.node.Core;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.storage.Stored;
import dev.glomers.workload.broadcast.BroadcastProperties.ClientAck;
import io.github.resilience4j.retry.Retry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Parts 3a-3e as one pure state machine: the star (or tree), the batching windows aligned to the
 * clock, the hub's lingering, group commit, and the fallback fan-out, on top of the reliable
 * {@link Delivery} of three logs (which owns acknowledgements, bare acks, suspicion and redelivery).
 * It never reads a clock: every rule below is a function of the {@code now} it is given.
 *
 * <p><b>Shape</b> ({@link Tree}): a leaf puts the values its clients broadcast into its
 * {@link #UPLINK} log, read by the hub. The hub puts every value new to it into its {@link #RELAY}
 * log, read by its children (with fan-out 0: everyone); in a tree an inner node passes on what its
 * parent relays, at once. A value takes two hops in the star, and one hub message per window reaches
 * each node whatever the number of values.
 *
 * <p><b>Windows</b>, aligned to multiples of the window length on the clock (all nodes of a test share
 * one machine's clock): a leaf sends its uplink at every multiple of {@code uplink-window}; those
 * batches reach the hub one latency later, so the hub closes its window at {@code relay-phase} past the
 * same multiple, or later while uplinks still arrive: once none came for {@code relay-quiet}, at
 * {@code relay-linger} past the phase at the latest. A node wakes for a window only when it has
 * something to send or a client to answer, so an idle node is never woken.
 *
 * <p><b>Partitions</b>: a peer that missed an acknowledgement deadline is suspect ({@link Delivery});
 * it gets no regular batches, only the redeliveries. A leaf whose hub is suspect copies its
 * unacknowledged and new values into its {@link #DIRECT} log, read by every peer, and sends it out
 * every {@code fallback-window}, until the hub acknowledges again.
 *
 * <p><b>Restarts</b> (only with a data directory, see {@link Journal}): every value is persisted in the
 * step that learns it, so before the acknowledgement, relay or read that depends on it leaves. A restarted
 * node recovers its values, runs as the next incarnation of its {@link Delivery}, whose logs start empty,
 * re-offers every value (a leaf to the hub, a node with children to them: they may never have had what it
 * held) and announces itself, so peers resend what it had not acknowledged.
 */
final class BroadcastCore implements Core {

    /** The logs every node keeps, indices shared with {@link Gossip}. */
    static final int UPLINK = 0;
    static final int RELAY = 1;
    static final int DIRECT = 2;

    private static final long NEVER = Long.MAX_VALUE;

    record Broadcast(long message) {
    }

    record ReadOk(List<Long> messages) implements Body {
        @Override
        public String type() {
            return "read_ok";
        }
    }

    private final String self;
    private final Tree tree;
    private final BroadcastProperties settings;
    private final Delivery<Long> delivery;
    private final Set<Long> values = new LinkedHashSet<>();
    /** The data directory's side of this node; null without one (nothing is persisted, nothing is allocated). */
    private Journal journal;
    private Journal.Recovered recovered;
    /** Client broadcasts answered when this node's window closes ({@link ClientAck#AFTER_WINDOW}). */
    private final List<Message> unanswered = new ArrayList<>();
    /** Uplink entries up to this seq have been copied into the direct log while the hub was suspect. */
    private long copiedToDirect;

    /** The clock multiple (plus phase) of the window this node will close next; NEVER when it has nothing to close. */
    private long windowAt = NEVER;
    private long lastWindow = Long.MIN_VALUE;
    /** The next fallback fan-out (a leaf whose hub is suspect); NEVER when none is due. */
    private long fallbackAt = NEVER;
    private long lastFallback = Long.MIN_VALUE;
    /** When uplink entries last arrived (the hub keeps its window open for stragglers). */
    private long lastUplinkArrival = Long.MIN_VALUE / 2;

    BroadcastCore(String self, List<String> nodeIds, BroadcastProperties settings, Retry redelivery) {
        this.self = self;
        this.tree = Tree.of(self, nodeIds, settings.fanOut());
        this.settings = settings;
        List<String> peers = nodeIds.stream().filter(node -> !node.equals(self)).toList();
        this.delivery = new Delivery<>(peers,
                List.of(isHub() ? List.of() : List.of(tree.hub()), tree.children(), peers),
                Delivery.Timing.of(settings.ackDelay(), settings.ackTimeout()), redelivery);
    }

    boolean isHub() {
        return self.equals(tree.hub());
    }

    /** Every value this node holds, in the order it learnt them. */
    List<Long> values() {
        return new ArrayList<>(values);
    }

    boolean holds(long value) {
        return values.contains(value);
    }

    /** Entries held for peers that have not acknowledged them: what memory depends on besides the values. */
    int retained() {
        return delivery.retained();
    }

    // ---- restarts -----------------------------------------------------------------------------

    @Override
    public void recover(Stored stored) {
        recovered = Journal.read(stored);
        values.addAll(recovered.values());
    }

    @Override
    public void start(long now, Effects out) {
        if (!out.durable()) {
            return;
        }
        journal = new Journal(recovered == null ? 0 : recovered.incarnation());
        journal.begin(values, out);
        delivery.incarnate(journal.incarnation());
        if (recovered != null) {
            // The logs died with the last run: peers may lack anything held then.
            for (long value : values) {
                if (!isHub()) {
                    delivery.append(UPLINK, value);
                }
                relay(value);
            }
            delivery.announce();
            recovered = null;
        }
    }

    // ---- messages -----------------------------------------------------------------------------

    @Override
    public void receive(Message message, long now, Effects out) {
        switch (message.type()) {
            case "topology" -> out.reply(message, Body.of("topology_ok")); // we build our own tree
            case "broadcast" -> broadcast(message, Wire.read(message.body(), Broadcast.class).message(), now, out);
            case "read" -> out.reply(message, new ReadOk(values()));
            case Gossip.TYPE -> {
                if (delivery.isPeer(message.src())) {
                    gossip(message.src(), Wire.read(message.body(), Gossip.class), now, out);
                }
            }
            default -> throw RpcError.notSupported("broadcast nodes do not handle " + message.type());
        }
        plan(now, out);
    }

    private void broadcast(Message request, long value, long now, Effects out) {
        if (values.add(value)) {
            if (journal != null) {
                journal.learnt(List.of(value), values, out);
            }
            if (isHub()) {
                relay(value);
            } else {
                delivery.append(UPLINK, value);
            }
            shareWithoutHub();
        }
        boolean immediate = windowLength().isZero() || delivery.peers().isEmpty();
        if (immediate) {
            closeWindow(now, out);
        }
        if (settings.clientAck() == ClientAck.AFTER_WINDOW && !immediate) {
            unanswered.add(request);
        } else {
            out.reply(request, Body.of("broadcast_ok"));
        }
    }

    private void gossip(String peer, Gossip gossip, long now, Effects out) {
        Receipt<Long> receipt = delivery.receive(peer, gossip.parcel(), now);
        List<Long> learnt = journal == null ? null : new ArrayList<>();
        for (long value : receipt.fresh(UPLINK)) {
            // Whoever uplinks to us takes us for the hub: what is new to us goes down the tree.
            if (learn(value, learnt)) {
                relay(value);
            }
        }
        for (long value : receipt.fresh(RELAY)) {
            learn(value, learnt);
            // Pass on, in order and once, what our parent relays, even values we knew: our own
            // clients' values reach our children this way.
            if (peer.equals(tree.parent())) {
                relay(value);
            }
        }
        for (long value : receipt.fresh(DIRECT)) {
            // A durable hub relays what is new to it whichever way it came: the sender's direct log may die
            // with it before it reached everyone, and its restart re-offers the value only to the hub.
            // (Without a data directory no node restarts, and the direct log reaches everyone by itself.)
            if (learn(value, learnt) && isHub() && journal != null) {
                relay(value);
            }
        }
        if (learnt != null) {
            journal.learnt(learnt, values, out); // before our next message acknowledges them
        }
        if (!gossip.up().isEmpty()) {
            lastUplinkArrival = now;
        }
        shareWithoutHub();
    }

    /** Adds a value; notes it in {@code learnt} (null without a data directory) when new. */
    private boolean learn(long value, List<Long> learnt) {
        boolean fresh = values.add(value);
        if (fresh && learnt != null) {
            learnt.add(value);
        }
        return fresh;
    }

    private void relay(long value) {
        if (!tree.children().isEmpty()) { // a leaf of the tree (or a node alone) has nobody to pass it to
            delivery.append(RELAY, value);
        }
    }

    /**
     * While the hub is suspect, our values no longer wait for it: what it has not acknowledged of our
     * uplink, and every new value, also goes into the direct log, to every peer.
     */
    private void shareWithoutHub() {
        if (isHub() || !delivery.isSuspect(tree.hub())) {
            return;
        }
        long from = Math.max(copiedToDirect, delivery.acked(tree.hub(), UPLINK));
        for (long value : delivery.after(UPLINK, from)) {
            delivery.append(DIRECT, value);
        }
        copiedToDirect = delivery.last(UPLINK);
    }

    // ---- time ---------------------------------------------------------------------------------

    @Override
    public void tick(long now, Effects out) {
        delivery.tick(now, (peer, parcel) -> send(peer, parcel, out));
        shareWithoutHub();
        if (now >= windowCloses()) {
            lastWindow = windowAt;
            windowAt = NEVER;
            closeWindow(now, out);
        }
        if (now >= fallbackAt) {
            lastFallback = fallbackAt;
            fallbackAt = NEVER;
            fallbackPeers().forEach(peer -> flush(peer, now, out));
        }
        plan(now, out);
    }

    @Override
    public long wakeAt() {
        return Math.min(delivery.wakeAt(), Math.min(windowCloses(), fallbackAt));
    }

    /** After every input: batches that go at once go now; windows with something to do are set. */
    private void plan(long now, Effects out) {
        if (!isHub() || settings.relayWindow().isZero()) {
            // Inside the tree a relay batch goes on at once: it is a batch already.
            tree.children().forEach(child -> flush(child, now, out));
        }
        if (windowAt == NEVER && !windowLength().isZero() && windowPending()) {
            windowAt = isHub() ? relayWindowFor(now) : nextMultiple(now, settings.uplinkWindow().toMillis(), lastWindow);
        }
        if (fallbackAt == NEVER && fallbackPeers().anyMatch(this::sendable)) {
            fallbackAt = nextMultiple(now, settings.fallbackWindow().toMillis(), lastFallback);
        }
    }

    /** The batching window of this node's role: relay for the hub, uplink for a leaf. */
    private Duration windowLength() {
        return isHub() ? settings.relayWindow() : settings.uplinkWindow();
    }

    /** Whether closing this node's window would send something or answer a client. */
    private boolean windowPending() {
        if (!unanswered.isEmpty()) {
            return true;
        }
        return isHub() ? tree.children().stream().anyMatch(this::sendable) : sendable(tree.hub());
    }

    /**
     * The hub's window for something that became pending at {@code now}: the one whose phase just
     * passed if it is still lingering (not closed, within {@code relay-linger}), else the next.
     */
    private long relayWindowFor(long now) {
        long period = settings.relayWindow().toMillis();
        long phase = settings.relayPhase().toMillis();
        long passed = now - Math.floorMod(now - phase, period);
        if (passed > lastWindow && now < passed + settings.relayLinger().toMillis()) {
            return passed;
        }
        return passed + period;
    }

    /**
     * When the current window closes. A leaf's at its multiple; the hub's no earlier than its phase,
     * then once no uplink arrived for {@code relay-quiet}, at {@code relay-linger} past it at the
     * latest: batches a busy machine delayed still make this window, and a quiet network costs no wait.
     */
    private long windowCloses() {
        if (windowAt == NEVER || !isHub()) {
            return windowAt;
        }
        long quietAt = lastUplinkArrival + settings.relayQuiet().toMillis();
        return Math.max(windowAt, Math.min(quietAt, windowAt + settings.relayLinger().toMillis()));
    }

    /** The first multiple of {@code period} on the clock at or after {@code now} and after {@code last}. */
    private static long nextMultiple(long now, long period, long last) {
        long next = now + Math.floorMod(-now, period);
        return next > last ? next : next + period;
    }

    /** End of a batching window: send the batch on, answer the broadcasts it took. */
    private void closeWindow(long now, Effects out) {
        if (isHub()) {
            tree.children().forEach(child -> flush(child, now, out));
        } else {
            flush(tree.hub(), now, out);
        }
        unanswered.forEach(request -> out.reply(request, Body.of("broadcast_ok")));
        unanswered.clear();
    }

    // ---- sending ------------------------------------------------------------------------------

    private boolean hubSuspect() {
        return !isHub() && delivery.isSuspect(tree.hub());
    }

    /**
     * Who a fallback fan-out goes to: every peer while the hub is suspect; once it answers again, the
     * peers the direct log has not reached yet still get it (the hub's batches go in its own windows).
     */
    private Stream<String> fallbackPeers() {
        if (isHub()) {
            return Stream.empty();
        }
        boolean hubSuspect = hubSuspect();
        return delivery.peers().stream().filter(peer -> hubSuspect || !peer.equals(tree.hub()));
    }

    /** A regular batch would carry something: the peer reads entries never sent to it and is not suspect (redelivery covers those). */
    private boolean sendable(String peer) {
        return delivery.hasUnsent(peer) && !delivery.isSuspect(peer);
    }

    private void flush(String peer, long now, Effects out) {
        if (sendable(peer)) {
            send(peer, delivery.next(peer, now), out);
        }
    }

    private static void send(String peer, Parcel<Long> parcel, Effects out) {
        out.send(peer, Gossip.of(parcel));
    }
}
