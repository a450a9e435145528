package dev.glomers.sim;

import dev.glomers.NodeApplication;
import dev.glomers.node.EventLoop;
import dev.glomers.node.Node;
import dev.glomers.storage.NodeStorage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The simulation's node processes: how each is built (a Spring context, or a bare wired node), its event
 * loop on the virtual time, its disk when durable, and what Jepsen's process faults do to it. The verbs
 * tests use are {@link Simulation}'s; this is where they happen.
 */
final class SimulatedProcesses {

    /** Builds node {@code id} on a virtual-time loop: a Spring context holding one, or a bare {@link Node}. */
    interface NodeFactory {
        Object create(SimulatedProcesses processes, String id, EventLoop loop);
    }

    private final VirtualTime time;
    private final Random random;
    private final boolean durable;
    private final NodeFactory factory;
    private final Consumer<String> network;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, ConfigurableApplicationContext> contexts = new LinkedHashMap<>();
    private final Map<String, EventLoop> loops = new HashMap<>();
    private final Map<String, SimulatedDisk> disks = new HashMap<>();
    private final Set<String> crashed = new HashSet<>();
    private final Set<String> paused = new HashSet<>();
    private long syncLatencyNanos = 2_000_000;

    SimulatedProcesses(VirtualTime time, Random random, boolean durable, NodeFactory factory, Consumer<String> network) {
        this.time = time;
        this.random = random;
        this.durable = durable;
        this.factory = factory;
        this.network = network;
    }

    static NodeFactory spring(String profiles, String... springArgs) {
        String[] args = new String[springArgs.length + 1];
        args[0] = "--spring.profiles.active=" + profiles;
        System.arraycopy(springArgs, 0, args, 1, springArgs.length);
        return (processes, id, loop) -> {
            SpringApplication application = NodeApplication.application(NodeApplication.class);
            application.addInitializers(context -> {
                context.getBeanFactory().registerSingleton("eventLoop", loop);
                if (processes.durable) {
                    context.getBeanFactory().registerSingleton("disk", processes.disks.get(id));
                    context.getBeanFactory().registerSingleton("syncRunner", processes.syncRunner(loop));
                }
            });
            return application.run(args);
        };
    }

    static NodeFactory wired(Consumer<Node> wiring) {
        return (processes, id, loop) -> {
            NodeStorage storage = processes.durable ? NodeStorage.on(processes.disks.get(id), processes.syncRunner(loop)) : null;
            Node node = new Node(loop, task -> {
                throw new IllegalStateException("a simulated node starts no threads");
            }, storage);
            wiring.accept(node);
            return node;
        };
    }

    /** A new node {@code id} (and its disk, when durable), not yet initialised. */
    void add(String id) {
        if (durable) {
            disks.put(id, new SimulatedDisk());
        }
        launch(id);
    }

    private void launch(String id) {
        EventLoop loop = time.loop(random.nextLong());
        Object created = factory.create(this, id, loop);
        Node node;
        if (created instanceof ConfigurableApplicationContext context) {
            contexts.put(id, context);
            node = context.getBean(Node.class);
        } else {
            node = (Node) created;
        }
        node.connect(network);
        nodes.put(id, node);
        loops.put(id, loop);
    }

    private SimulatedSync syncRunner(EventLoop loop) {
        return new SimulatedSync(loop.executor(), new Random(random.nextLong()), () -> syncLatencyNanos);
    }

    void crash(String id) {
        if (!crashed.add(id)) {
            return;
        }
        paused.remove(id);
        ConfigurableApplicationContext context = contexts.remove(id);
        if (context != null) {
            context.close();
        }
        nodes.get(id).close();
        SimulatedDisk disk = disks.get(id);
        if (disk != null) {
            disk.crash(random);
        }
    }

    /** A fresh process for crashed node {@code id}, on the same disk; it still needs {@code init}. */
    void relaunch(String id) {
        if (!crashed.remove(id)) {
            throw new IllegalStateException(id + " is not crashed");
        }
        launch(id);
    }

    void pause(String id) {
        if (isUp(id) && paused.add(id)) {
            time.pause(loops.get(id));
        }
    }

    void resume(String id) {
        if (paused.remove(id)) {
            time.resume(loops.get(id));
        }
    }

    boolean isUp(String id) {
        return nodes.containsKey(id) && !crashed.contains(id);
    }

    boolean isPaused(String id) {
        return paused.contains(id);
    }

    void syncLatency(long nanos) {
        this.syncLatencyNanos = nanos;
    }

    SimulatedDisk disk(String id) {
        return disks.get(id);
    }

    Node node(String id) {
        return nodes.get(id);
    }

    List<String> ids() {
        return List.copyOf(nodes.keySet());
    }

    <T> T bean(String id, Class<T> type) {
        return contexts.get(id).getBean(type);
    }

    void close() {
        new ArrayList<>(contexts.values()).forEach(ConfigurableApplicationContext::close);
        nodes.values().forEach(Node::close);
    }
}
