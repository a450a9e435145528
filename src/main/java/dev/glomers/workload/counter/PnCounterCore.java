package dev.glomers.workload.counter;

import dev.glomers.node.Body;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.workload.counter.CounterMessages.Add;
import dev.glomers.workload.counter.CounterMessages.ReadOk;
import dev.glomers.workload.crdt.CrdtCore;
import dev.glomers.workload.crdt.CrdtProperties;
import java.util.List;

/**
 * A counter that also goes down, as a pure core: a {@link PnCounterState}, changed locally by
 * {@code add}, spread by the gossip of {@link CrdtCore}. Adds and reads never leave the node, so they
 * stay available through any partition; once the network heals, gossip brings every node to the same
 * state, and so every final read to the sum of all adds.
 */
final class PnCounterCore extends CrdtCore {

    private final String self;
    private final PnCounterState state;

    PnCounterCore(String self, List<String> nodeIds, CrdtProperties settings) {
        this(self, nodeIds, settings, new PnCounterState());
    }

    private PnCounterCore(String self, List<String> nodeIds, CrdtProperties settings, PnCounterState state) {
        super(self, nodeIds, state, settings);
        this.self = self;
        this.state = state;
    }

    @Override
    protected void serve(Message request, Effects out) {
        switch (request.type()) {
            case "add" -> {
                state.add(self, Wire.read(request.body(), Add.class).delta());
                out.reply(request, Body.of("add_ok"));
            }
            case "read" -> out.reply(request, new ReadOk(state.value()));
            default -> throw RpcError.notSupported("pn-counter does not take " + request.type());
        }
    }
}
