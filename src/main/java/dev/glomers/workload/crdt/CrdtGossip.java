package dev.glomers.workload.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.node.Body;
import dev.glomers.node.Message;
import dev.glomers.node.Node;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver of anti-entropy gossip for one {@link CrdtState}: every {@code interval} it sends each
 * peer that needs it one {@code gossip} message carrying the delta that peer lacks, our versions,
 * and what we believe the peer has ({@link PeerKnowledge} decides who needs it). Fire and forget:
 * a lost message is simply covered by a later one. Updates wait for the next tick, so a busy node
 * sends at most one message per peer per tick, however many updates it took.
 */
public final class CrdtGossip {

    private static final Logger log = LoggerFactory.getLogger(CrdtGossip.class);

    record Gossip(JsonNode delta, Map<String, Long> versions, Map<String, Long> known) implements Body {
        @Override
        public String type() {
            return "gossip";
        }
    }

    private final Node node;
    private final CrdtState state;
    private PeerKnowledge peers;

    private CrdtGossip(Node node, CrdtState state, Duration interval, int resendTicks) {
        this.node = node;
        this.state = state;
        node.onInit(() -> {
            peers = new PeerKnowledge(node.peers(), resendTicks);
            node.every(interval, this::tick);
        });
        node.handle("gossip", Gossip.class, this::receive);
    }

    /** Wires gossip for {@code state} into {@code node}. */
    public static CrdtGossip start(Node node, CrdtState state, Duration interval, int resendTicks) {
        return new CrdtGossip(node, state, interval, resendTicks);
    }

    private void receive(Message message, Gossip gossip) {
        if (peers == null || !node.peers().contains(message.src())) {
            log.debug("gossip from {} ignored: not a peer", message.src());
            return;
        }
        state.merge(gossip.delta());
        peers.received(message.src(), gossip.versions(), gossip.known());
    }

    private void tick() {
        peers.tick();
        Map<String, Long> ours = state.versions();
        for (String peer : node.peers()) {
            if (peers.shouldSend(peer, ours)) {
                Map<String, Long> peerHas = peers.has(peer);
                node.send(peer, new Gossip(state.deltaSince(peerHas), ours, new HashMap<>(peerHas)));
                peers.sent(peer, ours);
            }
        }
    }
}
