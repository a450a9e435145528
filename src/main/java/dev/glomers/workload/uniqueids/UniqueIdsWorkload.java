package dev.glomers.workload.uniqueids;

import dev.glomers.node.CoreDriver;
import dev.glomers.node.Node;
import org.springframework.context.annotation.Profile;

/** Part 2, unique ids: wiring only; the algorithm is {@link UniqueIdsCore}. */
@Profile("unique-ids")
public class UniqueIdsWorkload {

    public UniqueIdsWorkload(Node node) {
        CoreDriver.drive(node, () -> new UniqueIdsCore(node.id(), node.nodeIds()));
    }
}
