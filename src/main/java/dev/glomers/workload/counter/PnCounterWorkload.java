package dev.glomers.workload.counter;

import dev.glomers.node.Body;
import dev.glomers.node.Node;
import dev.glomers.workload.counter.CounterMessages.Add;
import dev.glomers.workload.counter.CounterMessages.Read;
import dev.glomers.workload.counter.CounterMessages.ReadOk;
import dev.glomers.workload.crdt.CrdtGossip;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Profile;

/**
 * A counter that also goes down: a {@link PnCounterState} per node, changed locally by {@code add},
 * spread by anti-entropy gossip ({@link CrdtGossip}). Adds and reads never leave the node, so they
 * stay available through any partition; once the network heals, gossip brings every node to the
 * same state, and so every final read to the sum of all adds.
 */
@Profile("pn-counter")
public class PnCounterWorkload {

    private final PnCounterState state = new PnCounterState();

    public PnCounterWorkload(Node node,
            @Value("${glomers.crdt.gossip-interval:250ms}") Duration gossipInterval,
            @Value("${glomers.crdt.resend-ticks:2}") int resendTicks) {
        CrdtGossip.start(node, state, gossipInterval, resendTicks);
        node.handle("add", Add.class, (request, add) -> {
            state.add(node.id(), add.delta());
            node.reply(request, Body.of("add_ok"));
        });
        node.handle("read", Read.class, (request, read) -> node.reply(request, new ReadOk(state.value())));
    }
}
