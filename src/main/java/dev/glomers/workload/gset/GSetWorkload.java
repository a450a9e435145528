package dev.glomers.workload.gset;

import dev.glomers.node.CoreDriver;
import dev.glomers.node.Node;
import dev.glomers.workload.crdt.CrdtCore;
import dev.glomers.workload.crdt.CrdtProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Profile;

/**
 * The grow-only set: wiring only; the algorithm is {@link CrdtCore} over a {@link GSetState}, its settings
 * {@link CrdtProperties}.
 */
@Profile("g-set")
@EnableConfigurationProperties(CrdtProperties.class)
public class GSetWorkload {

    public GSetWorkload(Node node, CrdtProperties settings) {
        CoreDriver.drive(node, () -> new CrdtCore(node.id(), node.nodeIds(), settings, new GSetState()));
    }
}
