package dev.glomers.workload.broadcast;

import dev.glomers.node.CoreDriver;
import dev.glomers.node.Node;
import dev.glomers.retry.Retries;
import io.github.resilience4j.retry.Retry;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Profile;

/**
 * Parts 3a-3e, the wiring: the settings of {@code glomers.broadcast}, the {@value #REDELIVERY} retry
 * policy, and a {@link BroadcastCore} driven by the node's {@link CoreDriver}. Every rule lives in the core.
 */
@Profile("broadcast")
@EnableConfigurationProperties(BroadcastProperties.class)
public class BroadcastWorkload {

    /** The Resilience4j policy that paces redelivery of unacknowledged batches. */
    static final String REDELIVERY = "broadcast-redelivery";

    private BroadcastCore core;

    public BroadcastWorkload(Node node, Retries retries, BroadcastProperties settings) {
        Retry redelivery = retries.policy(REDELIVERY); // a missing policy is a start-up error, not a surprise in the first partition
        CoreDriver.drive(node, () -> core = new BroadcastCore(node.id(), node.nodeIds(), settings, redelivery));
    }

    /** The node's core once {@code init} arrived (tests look at its memory). */
    BroadcastCore core() {
        return core;
    }
}
