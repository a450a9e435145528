package dev.glomers.node;

import java.util.concurrent.ThreadFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The runtime every workload shares: one {@link Node} per application context. */
@Configuration(proxyBeanMethods = false)
public class NodeConfiguration {

    /**
     * A context may bring its own thread factory (the node host tags each node's threads);
     * otherwise threads are named "node-N".
     */
    @Bean(destroyMethod = "close")
    public Node node(ObjectProvider<ThreadFactory> threads) {
        return new Node(threads.getIfAvailable(() -> new NodeThreads("node")));
    }
}
