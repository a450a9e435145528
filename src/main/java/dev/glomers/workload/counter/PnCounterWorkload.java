package dev.glomers.workload.counter;

import dev.glomers.node.CoreDriver;
import dev.glomers.node.Node;
import dev.glomers.workload.crdt.CrdtCore;
import dev.glomers.workload.crdt.CrdtProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Profile;

/**
 * The pn-counter: wiring only; the algorithm is {@link CrdtCore} over a {@link PnCounterState}, its settings
 * {@link CrdtProperties}.
 */
@Profile("pn-counter")
@EnableConfigurationProperties(CrdtProperties.class)
public class PnCounterWorkload {

    public PnCounterWorkload(Node node, CrdtProperties settings) {
        CoreDriver.drive(node, () -> new CrdtCore(node.id(), node.nodeIds(), settings, new PnCounterState()));
    }
}
