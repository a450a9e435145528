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
     * otherwise threads are named "node-N". It may also bring its own {@link EventLoop}: the
     * deterministic simulation runs whole nodes in virtual time that way.
     */
    @Bean(destroyMethod = "close")
    public Node node(ObjectProvider<ThreadFactory> threads, ObjectProvider<EventLoop> loop) {
        ThreadFactory threadFactory = threads.getIfAvailable(() -> new NodeThreads("node"));
        return new Node(loop.getIfAvailable(() -> EventLoop.realTime(threadFactory)), threadFactory);
    }
}
