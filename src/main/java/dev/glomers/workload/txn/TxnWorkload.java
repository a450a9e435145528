package dev.glomers.workload.txn;

import dev.glomers.node.CoreDriver;
import dev.glomers.node.Node;
import dev.glomers.retry.Retries;
import io.github.resilience4j.retry.Retry;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Profile;

/**
 * Parts 6a-6c, totally available read-committed transactions over read/write registers: the wiring
 * of {@link TxnCore} (the algorithm and all its timing) to the node. See docs/txn.md.
 */
@Profile("txn-rw-register")
@EnableConfigurationProperties(TxnProperties.class)
public class TxnWorkload {

    static final String REPLICATE_POLICY = "txn-replicate";

    public TxnWorkload(Node node, TxnProperties settings, Retries retries) {
        Retry redelivery = retries.policy(REPLICATE_POLICY); // a missing policy fails start-up, not the first partition
        CoreDriver.drive(node, () -> new TxnCore(node.id(), node.nodeIds(), settings, redelivery));
    }
}
