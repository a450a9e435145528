package dev.glomers.node;

import dev.glomers.storage.Disk;
import dev.glomers.storage.NodeStorage;
import dev.glomers.storage.SyncRunner;
import java.nio.file.Path;
import java.util.concurrent.ThreadFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The runtime every workload shares: one {@link Node} per application context. */
@Configuration(proxyBeanMethods = false)
public class NodeConfiguration {

    /** The Spring property that makes a node durable: its own data directory. */
    public static final String DATA_DIR = "glomers.data-dir";

    /**
     * A context may bring its own thread factory (the node host tags each node's threads);
     * otherwise threads are named "node-N". It may also bring its own {@link EventLoop}: the
     * deterministic simulation runs whole nodes in virtual time that way, and its own {@link Disk}
     * (with a {@link SyncRunner}): the simulation's durable nodes. Otherwise a node is durable only
     * with {@code glomers.data-dir}.
     */
    @Bean(destroyMethod = "close")
    public Node node(ObjectProvider<ThreadFactory> threads, ObjectProvider<EventLoop> loop, ObjectProvider<Disk> disk,
            ObjectProvider<SyncRunner> syncRunner, Environment environment) {
        ThreadFactory threadFactory = threads.getIfAvailable(() -> new NodeThreads("node"));
        return new Node(loop.getIfAvailable(() -> EventLoop.realTime(threadFactory)), threadFactory,
                storage(disk.getIfAvailable(), syncRunner.getIfAvailable(), environment.getProperty(DATA_DIR)));
    }

    private static NodeStorage storage(Disk disk, SyncRunner syncRunner, String dataDir) {
        if (disk != null) {
            if (syncRunner == null) {
                throw new IllegalStateException("a context that brings its own Disk brings its SyncRunner too");
            }
            return NodeStorage.on(disk, syncRunner);
        }
        return dataDir == null || dataDir.isBlank() ? null : NodeStorage.inDirectory(Path.of(dataDir));
    }
}
