package dev.glomers.workload.linkv;

import dev.glomers.node.CoreDriver;
import dev.glomers.node.Node;
import dev.glomers.raft.RaftCore;
import dev.glomers.raft.RaftProperties;
import dev.glomers.retry.Backoff;
import dev.glomers.retry.Retries;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Profile;

/**
 * The lin-kv workload: a linearizable key-value store, {@link KvStateMachine} replicated by
 * {@link RaftCore} (docs/lin-kv.md). Wiring only.
 */
@Profile("lin-kv")
@EnableConfigurationProperties(RaftProperties.class)
public class LinKvWorkload {

    /** The Resilience4j policy that paces carrying operations to the leader again when they seem lost. */
    public static final String REFORWARD = "raft-reforward";

    public LinKvWorkload(Node node, RaftProperties settings, Retries retries) {
        var policy = retries.policy(REFORWARD); // a missing policy is a start-up error
        CoreDriver.drive(node, () -> core(node, settings, new Backoff(policy)));
    }

    /** The core of one node, as the product builds it (the simulation tests build it the same way). */
    public static RaftCore<KvStateMachine.Command, KvStateMachine.Result> core(Node node, RaftProperties settings, Backoff reforward) {
        return new RaftCore<>(node.id(), node.nodeIds(), new KvStateMachine(), settings, node.random(), reforward);
    }
}
