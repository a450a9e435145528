package dev.glomers.raft;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.raft.RaftMessages.Relay;

/**
 * How a member's message reaches this node, the inbound half of {@link Links} and {@link Outbox}: directly,
 * passed on by a peer in a relay (around a broken link), or as a part of a bundle. Each is taken as if its
 * sender had sent it alone, by {@link RaftCore#step}; what came directly shows which links work, and relays
 * for other nodes are passed on ({@link RelayPassing}). Kept apart so that the core's step sees Raft's
 * messages only, as the paper has them, whatever way they came.
 */
final class Inbox {

    private final String self;
    private final Links links;
    private final RelayPassing<?> relays;
    private final RaftCore<?, ?> core;
    /** Set while a relayed message is being taken. */
    private boolean takingRelayed;

    Inbox(String self, Links links, RelayPassing<?> relays, RaftCore<?, ?> core) {
        this.self = self;
        this.links = links;
        this.relays = relays;
        this.core = core;
    }

    /** Whether the message being taken came passed on by a peer, not directly from its sender. */
    boolean takingRelayed() {
        return takingRelayed;
    }

    void take(Message message, long now, Effects out) {
        if (!links.isMember(message.src())) {
            // Only members speak Raft: anyone else claiming a Raft type (a term, a vote, a leader) is a client
            // asking for something the state machine does not take, never a voice in the protocol.
            core.onClientRequest(message, now, out);
            return;
        }
        if (!takingRelayed) {
            links.heardDirectly(message.src(), now);
        }
        switch (message.type()) {
            case RaftMessages.RELAY -> onRelay(message, now, out);
            case RaftMessages.BUNDLE -> onBundle(message, now, out);
            default -> core.step(message, now, out);
        }
    }

    private void onRelay(Message message, long now, Effects out) {
        Relay relay = links.read(message);
        if (relay == null) {
            return;
        }
        if (relay.to().equals(self)) {
            takingRelayed = true;
            try {
                take(links.unwrap(relay, now), now, out);
            } finally {
                takingRelayed = false;
            }
            return;
        }
        relays.pass(relay, core.followedLeader(), core.term(), now, out);
    }

    /** The parts of a bundle, in order, each as if it had come by itself from the sender. */
    private void onBundle(Message message, long now, Effects out) {
        for (var part : message.body().path("msgs")) {
            if (part.isObject() && !RaftMessages.BUNDLE.equals(part.path("type").asText())) {
                take(new Message(message.src(), self, (ObjectNode) part), now, out);
            }
        }
    }
}
