package dev.glomers.workload.gset;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.node.Body;
import dev.glomers.node.Node;
import dev.glomers.workload.crdt.CrdtGossip;
import java.time.Duration;
import java.util.Collection;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Profile;

/**
 * A grow-only set: a {@link GSetState} per node, changed locally by {@code add}, spread by
 * anti-entropy gossip ({@link CrdtGossip}) that sends each peer only the elements it lacks. Adds
 * and reads never leave the node, so they stay available through partitions; after healing,
 * every node converges to every element added anywhere.
 */
@Profile("g-set")
public class GSetWorkload {

    record Add(JsonNode element) {
    }

    record Read() {
    }

    record ReadOk(Collection<JsonNode> value) implements Body {
        @Override
        public String type() {
            return "read_ok";
        }
    }

    private final GSetState state = new GSetState();

    public GSetWorkload(Node node,
            @Value("${glomers.crdt.gossip-interval:250ms}") Duration gossipInterval,
            @Value("${glomers.crdt.resend-ticks:2}") int resendTicks) {
        CrdtGossip.start(node, state, gossipInterval, resendTicks);
        node.handle("add", Add.class, (request, add) -> {
            state.add(node.id(), add.element());
            node.reply(request, Body.of("add_ok"));
        });
        node.handle("read", Read.class, (request, read) -> node.reply(request, new ReadOk(state.elements())));
    }
}
