package dev.glomers.workload.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.node.Body;
import dev.glomers.node.Core;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
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

    public CrdtCore(String self, List<String> nodeIds, CrdtProperties settings, AddReadCrdt state) {
        this.self = self;
        this.state = state;
        this.peers = nodeIds.stream().filter(id -> !id.equals(self)).toList();
        this.knowledge = new PeerKnowledge(peers, settings.resendTicks());
        this.intervalMillis = settings.gossipInterval().toMillis();
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
        state.merge(gossip.delta());
        knowledge.received(message.src(), gossip.versions(), gossip.known());
    }

    /** A client's request: served from the local state alone (it never waits for the network). */
    private void serve(Message request, Effects out) {
        switch (request.type()) {
            case "add" -> {
                state.addFromClient(self, request.body());
                out.reply(request, Body.of("add_ok"));
            }
            case "read" -> out.reply(request, state.readOk());
            default -> throw RpcError.notSupported("this node takes add and read, not " + request.type());
        }
    }

    @Override
    public void tick(long now, Effects out) {
        long tick = tickAt(now);
        currentTick = Math.max(currentTick, tick);
        if (tick <= lastTick) {
            return; // woken early: the tick is not due yet
        }
        lastTick = tick;
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
     * never, when every peer has everything and is owed nothing.
     */
    @Override
    public long wakeAt() {
        Map<String, Long> ours = state.versions();
        long due = Long.MAX_VALUE;
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
