package dev.glomers.workload.gset;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.node.Body;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.workload.crdt.CrdtCore;
import dev.glomers.workload.crdt.CrdtProperties;
import java.util.Collection;
import java.util.List;

/**
 * A grow-only set as a pure core: a {@link GSetState}, changed locally by {@code add}, spread by the
 * gossip of {@link CrdtCore}, which sends each peer only the elements it lacks. Adds and reads never
 * leave the node, so they stay available through partitions; after healing, every node converges to
 * every element added anywhere.
 */
final class GSetCore extends CrdtCore {

    record Add(JsonNode element) {
    }

    record ReadOk(Collection<JsonNode> value) implements Body {
        @Override
        public String type() {
            return "read_ok";
        }
    }

    private final String self;
    private final GSetState state;

    GSetCore(String self, List<String> nodeIds, CrdtProperties settings) {
        this(self, nodeIds, settings, new GSetState());
    }

    private GSetCore(String self, List<String> nodeIds, CrdtProperties settings, GSetState state) {
        super(self, nodeIds, state, settings);
        this.self = self;
        this.state = state;
    }

    @Override
    protected void serve(Message request, Effects out) {
        switch (request.type()) {
            case "add" -> {
                state.add(self, Wire.read(request.body(), Add.class).element());
                out.reply(request, Body.of("add_ok"));
            }
            case "read" -> out.reply(request, new ReadOk(state.elements()));
            default -> throw RpcError.notSupported("g-set does not take " + request.type());
        }
    }
}
