package dev.glomers.workload.txnlist;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.glomers.node.CoreDriver;
import dev.glomers.node.Node;
import dev.glomers.raft.RaftCore;
import dev.glomers.raft.RaftProperties;
import dev.glomers.retry.Backoff;
import dev.glomers.retry.Retries;
import dev.glomers.workload.linkv.LinKvWorkload;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Profile;

/**
 * The txn-list-append workload: {@link TxnListStateMachine} replicated by {@link RaftCore}, the same
 * Raft as lin-kv (docs/txn-list-append.md). Wiring only.
 */
@Profile("txn-list-append")
@EnableConfigurationProperties(RaftProperties.class)
public class TxnListWorkload {

    public TxnListWorkload(Node node, RaftProperties settings, Retries retries) {
        var policy = retries.policy(LinKvWorkload.REFORWARD); // a missing policy is a start-up error
        CoreDriver.drive(node, () -> core(node, settings, new Backoff(policy)));
    }

    /** The core of one node, as the product builds it (the simulation tests build it the same way). */
    public static RaftCore<ArrayNode, ArrayNode> core(Node node, RaftProperties settings, Backoff reforward) {
        return new RaftCore<>(node.id(), node.nodeIds(), new TxnListStateMachine(), settings, node.random(), reforward);
    }
}
