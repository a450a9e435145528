package dev.glomers.workload.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.node.Body;
import dev.glomers.node.Core;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.storage.Stored;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core of a CRDT workload (g-set, pn-counter): an {@link AddReadCrdt} that clients change with
 * {@code add} and read with {@code read}, served from the local state alone, so both stay available
 * through any partition; spread by anti-entropy gossip, so once the network heals every node converges. Time is cut into ticks of {@code gossip-interval} from
 * {@link #start}; at a tick the core sends each peer that needs it one {@code gossip} message carrying
 * the delta that peer lacks, our versions, and what we believe the peer has ({@link PeerKnowledge}
 * decides who needs it, and when a repeat is due). Fire and forget: a lost message is covered by a
 * later one. Updates wait for the next tick, so a busy node sends at most one message per peer per
 * tick, however many updates it took; and when no peer needs anything, no tick is asked for at all.
 *
 * <p>With a data directory every change to the state is persisted as the delta it made (an own add, or
 * what a peer's gossip brought that we lacked) before anything else leaves the node: so {@code add_ok}
 * goes out only once the add is durable, a read shows only what a restart recovers, and our own versions
 * reach peers only once synced (a restart never reuses a version a peer has seen with other content).
 * A peer's delta is not synced on its own: it waits, unmerged, for the next persist an own add or a tick
 * makes (one sync for both). Until then reads and gossip show the state without it, so nothing that
 * leaves the node depends on it, our versions do not acknowledge it, and its sender, which holds it
 * durably, keeps offering it until they do; a crash before then loses nothing that was shown. A
 * snapshot of the whole state replaces the log once the deltas since the last one outweigh it, which
 * keeps the log within a small multiple of the state. A restarted core merges the snapshot and the
 * deltas back; it then believes peers have nothing, so its first gossip carries everything and draws
 * their answers (what it missed while down).
 */
public final class CrdtCore implements Core {

    private static final Logger log = LoggerFactory.getLogger(CrdtCore.class);

    record Gossip(JsonNode delta, Map<String, Long> versions, Map<String, Long> known) implements Body {
        @Override
        public String type() {
            return "gossip";
        }
    }

    private final String self;
    private final AddReadCrdt state;
    private final List<String> peers;
    private final PeerKnowledge knowledge;
    private final long intervalMillis;
    private long origin;
    /** The number of the last tick at which gossip went out (or could have). */
    private long lastTick;
    /** The number of the tick the latest input arrived in: an update waits for the tick after it. */
    private long currentTick;
    /** Durable nodes only: bytes persisted since the last snapshot, and that snapshot's size. */
    private long loggedBytes;
    private long snapshotBytes;
    /** Durable nodes only: peers' deltas not merged yet, in arrival order (see the class comment). */
    private final List<JsonNode> unmergedDeltas = new ArrayList<>();

    public CrdtCore(String self, List<String> nodeIds, CrdtProperties settings, AddReadCrdt state) {
        this.self = self;
        this.state = state;
        this.peers = nodeIds.stream().filter(id -> !id.equals(self)).toList();
        this.knowledge = new PeerKnowledge(peers, settings.resendTicks());
        this.intervalMillis = settings.gossipInterval().toMillis();
    }

    @Override
    public void recover(Stored stored) {
        if (stored.snapshot() != null) {
            state.merge(Wire.fromBytes(stored.snapshot(), JsonNode.class));
            snapshotBytes = stored.snapshot().length;
        }
        for (byte[] record : stored.records()) {
            state.merge(Wire.fromBytes(record, JsonNode.class));
            loggedBytes += record.length;
        }
    }

    /** Tick 0 is now; the first gossip can leave at tick 1. */
    @Override
    public void start(long now, Effects out) {
        origin = now;
    }

    @Override
    public void receive(Message message, long now, Effects out) {
        currentTick = Math.max(currentTick, tickAt(now));
        if (!"gossip".equals(message.type())) {
            serve(message, out);
            return;
        }
        if (!peers.contains(message.src())) {
            log.debug("gossip from {} ignored: not a peer", message.src());
            return;
        }
        Gossip gossip = Wire.read(message.body(), Gossip.class);
        if (out.durable()) {
            if (gossip.delta() != null && !gossip.delta().isEmpty()) {
                unmergedDeltas.add(gossip.delta()); // merged and persisted with the next own add or tick
            }
        } else {
            state.merge(gossip.delta());
        }
        knowledge.received(message.src(), gossip.versions(), gossip.known());
    }

    /**
     * Merges the peers' deltas that waited. A malformed one counts for its valid part, as it would on arrival
     * in memory (its sender cannot be answered anyway: gossip has no msg_id).
     */
    private void mergeWaitingDeltas() {
        List<JsonNode> waiting = List.copyOf(unmergedDeltas);
        unmergedDeltas.clear();
        for (JsonNode delta : waiting) {
            try {
                state.merge(delta);
            } catch (RuntimeException malformed) {
                // never the add's or the tick's failure: that one delta is dropped, as a malformed message is
                log.debug("malformed gossip delta dropped: {}", malformed.toString());
            }
        }
    }

    /** A client's request: served from the local state alone (it never waits for the network). */
    private void serve(Message request, Effects out) {
        switch (request.type()) {
            case "add" -> {
                Map<String, Long> before = out.durable() ? state.versions() : null;
                try {
                    mergeWaitingDeltas(); // one record, one sync, for the add and what peers brought
                    state.addFromClient(self, request.body());
                } finally {
                    if (before != null) {
                        persistSince(before, out); // also when the add is refused: the merged deltas are shown from now on
                    }
                }
                out.reply(request, Body.of("add_ok"));
            }
            case "read" -> out.reply(request, state.readOk());
            default -> throw RpcError.notSupported("this node takes add and read, not " + request.type());
        }
    }

    /** Persists what the state gained since it had {@code before}; snapshots instead when the log outweighs the state. */
    private void persistSince(Map<String, Long> before, Effects out) {
        JsonNode gained = state.deltaSince(before);
        if (gained.isEmpty()) {
            return;
        }
        byte[] record = Wire.toBytes(gained);
        out.persist(record);
        loggedBytes += record.length;
        if (loggedBytes >= Math.max(MIN_LOG_BEFORE_SNAPSHOT, 2 * snapshotBytes)) {
            byte[] whole = Wire.toBytes(state.deltaSince(Map.of()));
            out.snapshot(whole);
            snapshotBytes = whole.length;
            loggedBytes = 0;
        }
    }

    /** The log may reach this many bytes before a snapshot replaces it, however small the state. */
    static final long MIN_LOG_BEFORE_SNAPSHOT = 64 * 1024;



    @Override
    public void tick(long now, Effects out) {
        long tick = tickAt(now);
        currentTick = Math.max(currentTick, tick);
        if (tick <= lastTick) {
            return; // woken early: the tick is not due yet
        }
        lastTick = tick;
        if (!unmergedDeltas.isEmpty()) {
            Map<String, Long> before = state.versions();
            mergeWaitingDeltas(); // synced before the gossip below (which acknowledges them) leaves
            persistSince(before, out);
        }
        knowledge.advanceTo(tick);
        Map<String, Long> ours = state.versions();
        for (String peer : peers) {
            if (knowledge.shouldSend(peer, ours)) {
                Map<String, Long> peerHas = knowledge.has(peer);
                out.send(peer, new Gossip(state.deltaSince(peerHas), ours, new HashMap<>(peerHas)));
                knowledge.sent(peer, ours);
            }
        }
    }

    /**
     * The next tick at which some peer is due a message, and never before the tick after the one the
     * latest input arrived in (after an idle spell, an update waits for the next tick as always);
     * never, when every peer has everything and is owed nothing and no peer's delta waits to be merged.
     */
    @Override
    public long wakeAt() {
        Map<String, Long> ours = state.versions();
        long due = unmergedDeltas.isEmpty() ? Long.MAX_VALUE : 0; // merged at the next tick at the latest
        for (String peer : peers) {
            due = Math.min(due, knowledge.nextSendTick(peer, ours));
        }
        if (due == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        return origin + Math.max(due, Math.max(lastTick, currentTick) + 1) * intervalMillis;
    }

    private long tickAt(long now) {
        return (now - origin) / intervalMillis;
    }
}
