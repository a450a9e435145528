package dev.glomers.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.NodeApplication;
import dev.glomers.cluster.Services;
import dev.glomers.node.EventLoop;
import dev.glomers.node.Message;
import dev.glomers.node.Node;
import dev.glomers.node.Wire;
import dev.glomers.storage.NodeStorage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The deterministic simulation: whole nodes, wired by Spring exactly as the product wires them, on
 * one {@link VirtualTime}, talking through a simulated network with the workbench's services. A run
 * is a pure function of its seed: latency samples, drops, duplicates, service staleness and the nodes'
 * own randomness all come from it, and nothing sleeps, so a simulated minute takes well under a second.
 *
 * <pre>
 * try (Simulation sim = Simulation.start("broadcast", 5, 42)) {
 *     sim.latency(Duration.ofMillis(100), Latency.EXPONENTIAL).dropRate(0.05);
 *     sim.partition(List.of("n0", "n1"));
 *     CompletableFuture&lt;Message&gt; ok = sim.request("n3", "{\"type\":\"broadcast\",\"message\":7}");
 *     sim.runFor(Duration.ofSeconds(30));
 * }
 * </pre>
 *
 * Network rules are the workbench's (shared/MAELSTROM.md; the cluster runner follows the same):
 * latency applies to server-to-server messages (services included), client messages are instant, a
 * partition cuts only links between nodes and drops a message that arrives across it. On top, the
 * simulation can drop and duplicate server-to-server messages at random; latency drawn from a
 * distribution reorders them. The services are the cluster runner's own ({@link Services}).
 */
public final class Simulation implements AutoCloseable {

    /** How a message's delay is drawn around the mean latency. */
    public enum Latency { CONSTANT, UNIFORM, EXPONENTIAL }

    private final VirtualTime time = new VirtualTime();
    private final Random random;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, ConfigurableApplicationContext> contexts = new LinkedHashMap<>();
    private final Map<String, Services.Service> services = new HashMap<>();
    private final Map<Long, CompletableFuture<Message>> pendingClientRequests = new HashMap<>();
    private final List<Consumer<Message>> observers = new ArrayList<>();
    private Map<String, Integer> partitionSide = Map.of();
    private Map<String, Set<String>> grudge = Map.of();
    private long latencyNanos;
    private Latency latencyShape = Latency.CONSTANT;
    private double dropRate;
    private double duplicateRate;
    private long clientMsgIds;
    private long serverMessages;
    private long allMessages;
    private final boolean durable;
    private final NodeFactory factory;
    private final List<String> ids = new ArrayList<>();
    private final Map<String, EventLoop> loops = new HashMap<>();
    private final Map<String, SimulatedDisk> disks = new HashMap<>();
    private final Set<String> crashed = new java.util.HashSet<>();
    private long syncLatencyNanos = Duration.ofMillis(2).toNanos();

    private Simulation(long seed, boolean durable, NodeFactory factory) {
        this.random = new Random(seed);
        this.durable = durable;
        this.factory = factory;
        for (String name : Services.NAMES) {
            services.put(name, Services.create(name, new Random(random.nextLong())));
        }
    }

    /**
     * Starts {@code nodeCount} nodes n0.. with Spring {@code profiles} (and further Spring arguments), all
     * given {@code init} and initialised before this returns. In memory, as the workbench runs them.
     */
    public static Simulation start(String profiles, int nodeCount, long seed, String... springArgs) {
        return start(nodeCount, seed, false, springFactory(profiles, springArgs));
    }

    /**
     * As {@link #start(String, int, long, String...)}, each node durable: a {@link SimulatedDisk} of its own
     * that survives its {@link #crash}es, syncs that take {@link #syncLatency} of virtual time. This is the
     * set-up for crash tests of a workload:
     * <pre>
     * try (Simulation sim = Simulation.startDurable("lin-kv", 3, seed)) {
     *     sim.crash("n1");                                        // memory and queued work gone, disk keeps the synced
     *     sim.runFor(Duration.ofSeconds(2));
     *     CompletableFuture&lt;Message&gt; initOk = sim.restart("n1"); // a fresh context, same id and disk, init again
     *     sim.pause("n2");                                        // runs nothing (input waits) ...
     *     sim.after(Duration.ofSeconds(3), () -> sim.resume("n2")); // ... until resumed, its clock jumped
     *     sim.runFor(Duration.ofSeconds(10));
     * }
     * </pre>
     */
    public static Simulation startDurable(String profiles, int nodeCount, long seed, String... springArgs) {
        return start(nodeCount, seed, true, springFactory(profiles, springArgs));
    }

    private static NodeFactory springFactory(String profiles, String... springArgs) {
        String[] args = new String[springArgs.length + 1];
        args[0] = "--spring.profiles.active=" + profiles;
        System.arraycopy(springArgs, 0, args, 1, springArgs.length);
        return (sim, id, loop) -> {
            SpringApplication application = NodeApplication.application(NodeApplication.class);
            application.addInitializers(context -> {
                context.getBeanFactory().registerSingleton("eventLoop", loop);
                if (sim.durable) {
                    context.getBeanFactory().registerSingleton("disk", sim.disks.get(id));
                    context.getBeanFactory().registerSingleton("syncRunner", sim.syncRunner(loop));
                }
            });
            return application.run(args);
        };
    }

    /**
     * Starts {@code nodeCount} plain nodes without Spring, each wired by {@code wiring} (which registers
     * handlers or drives a core, as a workload bean's constructor does), then initialised.
     */
    public static Simulation startWired(int nodeCount, long seed, Consumer<Node> wiring) {
        return start(nodeCount, seed, false, wiredFactory(wiring));
    }

    /** As {@link #startWired}, each node durable as in {@link #startDurable}: for cores in the test tree. */
    public static Simulation startWiredDurable(int nodeCount, long seed, Consumer<Node> wiring) {
        return start(nodeCount, seed, true, wiredFactory(wiring));
    }

    private static NodeFactory wiredFactory(Consumer<Node> wiring) {
        return (sim, id, loop) -> {
            NodeStorage storage = sim.durable ? NodeStorage.on(sim.disks.get(id), sim.syncRunner(loop)) : null;
            Node node = new Node(loop, task -> {
                throw new IllegalStateException("a simulated node starts no threads");
            }, storage);
            wiring.accept(node);
            return node;
        };
    }

    /** Builds node {@code id} on a virtual-time loop: a Spring context holding one, or a bare {@link Node}. */
    private interface NodeFactory {
        Object create(Simulation sim, String id, EventLoop loop);
    }

    private static Simulation start(int nodeCount, long seed, boolean durable, NodeFactory factory) {
        Simulation sim = new Simulation(seed, durable, factory);
        try {
            for (int i = 0; i < nodeCount; i++) {
                sim.ids.add("n" + i);
                if (durable) {
                    sim.disks.put("n" + i, new SimulatedDisk());
                }
            }
            for (String id : sim.ids) {
                sim.create(id);
            }
            List<CompletableFuture<Message>> inits = new ArrayList<>();
            for (String id : sim.ids) {
                inits.add(sim.init(id));
            }
            sim.runUntil(() -> inits.stream().allMatch(CompletableFuture::isDone), Duration.ofSeconds(1));
            for (CompletableFuture<Message> init : inits) {
                if (!init.isDone() || !"init_ok".equals(init.getNow(null).type())) {
                    throw new IllegalStateException("init not answered with init_ok: " + (init.isDone() ? init.getNow(null) : "no reply"));
                }
            }
            return sim;
        } catch (RuntimeException e) {
            sim.close();
            throw e;
        }
    }

    private void create(String id) {
        EventLoop loop = time.loop(random.nextLong());
        Object created = factory.create(this, id, loop);
        Node node;
        if (created instanceof ConfigurableApplicationContext context) {
            contexts.put(id, context);
            node = context.getBean(Node.class);
        } else {
            node = (Node) created;
        }
        node.connect(this::route);
        nodes.put(id, node);
        loops.put(id, loop);
    }

    private CompletableFuture<Message> init(String id) {
        ObjectNode init = Wire.JSON.createObjectNode();
        init.put("type", "init");
        init.put("node_id", id);
        init.set("node_ids", Wire.JSON.valueToTree(ids));
        return request(id, init);
    }

    private SimulatedSync syncRunner(EventLoop loop) {
        return new SimulatedSync(loop.executor(), new Random(random.nextLong()), () -> syncLatencyNanos);
    }

    // ---- process faults (Jepsen's kill and pause) -------------------------------------------

    /**
     * Kills node {@code id} at once, wherever it is: its memory and its queued work (timers, input, a sync
     * under way) are gone, nothing more leaves it, and messages to it are dropped until {@link #restart}.
     * A durable node's disk keeps only what was synced, and may keep a torn prefix of the last unsynced
     * write ({@link SimulatedDisk#crash}). Callable from a task ({@link #after}) at any virtual moment.
     */
    public Simulation crash(String id) {
        if (!crashed.add(id)) {
            return this;
        }
        ConfigurableApplicationContext context = contexts.remove(id);
        if (context != null) {
            context.close();
        }
        nodes.get(id).close();
        SimulatedDisk disk = disks.get(id);
        if (disk != null) {
            disk.crash(random);
        }
        return this;
    }

    /**
     * Starts a crashed node again: a fresh context (or wired node) with the same id on the same disk, given
     * {@code init} with the same node_ids; returns the future of its answer (init_ok, or an error when its
     * storage refuses to start). It serves once that answer is out.
     */
    public CompletableFuture<Message> restart(String id) {
        if (!crashed.remove(id)) {
            throw new IllegalStateException(id + " is not crashed");
        }
        create(id);
        return init(id);
    }

    /**
     * Stops node {@code id} as SIGSTOP does: it runs nothing (no input handled, no output, no timer, no sync
     * completes) until {@link #resume}; input that arrives meanwhile is handled after, in order, and its clock
     * has jumped.
     */
    public Simulation pause(String id) {
        time.pause(loops.get(id));
        return this;
    }

    public Simulation resume(String id) {
        time.resume(loops.get(id));
        return this;
    }

    /** Whether node {@code id} is running (not crashed; a paused node counts as running). */
    public boolean isUp(String id) {
        return !crashed.contains(id);
    }

    /** Mean virtual time a sync of a durable node takes from now on (each drawn in [mean/2, 3 mean/2]). */
    public Simulation syncLatency(Duration mean) {
        this.syncLatencyNanos = mean.toNanos();
        return this;
    }

    /** Node {@code id}'s disk (durable simulations only). */
    public SimulatedDisk disk(String id) {
        return disks.get(id);
    }

    // ---- the network ------------------------------------------------------------------------

    /** Mean delay of server-to-server messages from now on, and how it is drawn. */
    public Simulation latency(Duration mean, Latency shape) {
        this.latencyNanos = mean.toNanos();
        this.latencyShape = shape;
        return this;
    }

    /** Probability that a server-to-server message is lost. */
    public Simulation dropRate(double probability) {
        this.dropRate = probability;
        return this;
    }

    /** Probability that a server-to-server message arrives twice (each copy with its own delay). */
    public Simulation duplicateRate(double probability) {
        this.duplicateRate = probability;
        return this;
    }

    /** Cuts the nodes into the given sides; nodes not named form one more side. Services stay reachable. */
    @SafeVarargs
    public final Simulation partition(Collection<String>... sides) {
        Map<String, Integer> sideOf = new HashMap<>();
        nodes.keySet().forEach(node -> sideOf.put(node, sides.length));
        for (int side = 0; side < sides.length; side++) {
            for (String node : sides[side]) {
                sideOf.put(node, side);
            }
        }
        partitionSide = Map.copyOf(sideOf);
        return this;
    }

    /**
     * One-way cuts, as the workbench's grudges: each node drops what arrives from the nodes it holds a
     * grudge against (e.g. the majorities-ring of three, {n0: [n1], n1: [n2], n2: [n0]}, where no two nodes
     * hear each other both ways). Applies on top of {@link #partition}; {@link #heal} ends both.
     */
    public Simulation grudge(Map<String, Set<String>> drops) {
        this.grudge = Map.copyOf(drops);
        return this;
    }

    public Simulation heal() {
        partitionSide = Map.of();
        grudge = Map.of();
        return this;
    }

    /**
     * A coin flip of the simulation's random: heads cuts a random nonempty group of the nodes (not all of
     * them) off from the rest, tails heals. A fault schedule is a loop of this and {@link #runFor}.
     */
    public Simulation partitionOrHealAtRandom() {
        if (!random.nextBoolean()) {
            return heal();
        }
        List<String> ids = new ArrayList<>(nodes.keySet());
        java.util.Collections.shuffle(ids, random);
        return partition(ids.subList(0, 1 + random.nextInt(ids.size() - 1)));
    }

    /** Sees every message a node or service sends, as it is sent (before drops). */
    public Simulation observe(Consumer<Message> observer) {
        observers.add(observer);
        return this;
    }

    private void route(String line) {
        Message message = Wire.parse(line);
        if (message == null) {
            throw new AssertionError("a node wrote a line that is not a message: " + line);
        }
        allMessages++;
        observers.forEach(observer -> observer.accept(message));
        if (Message.isClient(message.dest())) {
            CompletableFuture<Message> pending = pendingClientRequests.remove(message.inReplyTo());
            if (pending != null) {
                pending.complete(message);
            }
            return;
        }
        serverMessages++;
        if (random.nextDouble() < dropRate) {
            return;
        }
        int copies = random.nextDouble() < duplicateRate ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            time.at(delayNanos(), () -> deliver(message, line));
        }
    }

    private long delayNanos() {
        return switch (latencyShape) {
            case CONSTANT -> latencyNanos;
            case UNIFORM -> (long) (random.nextDouble() * 2 * latencyNanos);
            case EXPONENTIAL -> (long) (-Math.log(1 - random.nextDouble()) * latencyNanos);
        };
    }

    private void deliver(Message message, String line) {
        Node node = nodes.get(message.dest());
        if (node != null) {
            if (crashed.contains(message.dest())) {
                return; // a dead process reads nothing
            }
            if (!cutOff(message.src(), message.dest())) {
                node.receive(line);
            }
            return;
        }
        Services.Service service = services.get(message.dest());
        if (service == null) {
            throw new AssertionError("message to nobody: " + line);
        }
        ObjectNode reply = service.handle(message.src(), message.body());
        if (message.msgId() != 0) {
            reply.put("in_reply_to", message.msgId());
        }
        route(Wire.line(message.dest(), message.src(), reply));
    }

    private boolean cutOff(String src, String dest) {
        Integer from = partitionSide.get(src);
        Integer to = partitionSide.get(dest);
        return (from != null && to != null && !from.equals(to)) || grudge.getOrDefault(dest, Set.of()).contains(src);
    }

    // ---- clients ----------------------------------------------------------------------------
    // (Processes that keep sending, at a rate or in a closed loop: SimulatedClients.)


    /** Sends a client request (a fresh client id and msg_id; instant, as client traffic is) to a node. */
    public CompletableFuture<Message> request(String nodeId, String bodyJson) {
        try {
            return request(nodeId, (ObjectNode) Wire.JSON.readTree(bodyJson));
        } catch (Exception e) {
            throw new IllegalArgumentException("not a JSON object: " + bodyJson, e);
        }
    }

    public CompletableFuture<Message> request(String nodeId, ObjectNode body) {
        long msgId = ++clientMsgIds;
        ObjectNode request = body.deepCopy();
        request.put("msg_id", msgId);
        CompletableFuture<Message> reply = new CompletableFuture<>();
        allMessages++;
        if (crashed.contains(nodeId)) {
            return reply; // never answered: indeterminate, as a request to a dead process is
        }
        pendingClientRequests.put(msgId, reply);
        nodes.get(nodeId).receive(Wire.line("c" + msgId, nodeId, request));
        return reply;
    }

    /**
     * Sends {@code bodyJson} straight to a service (lin-kv, seq-kv, ...) as a client outside the cluster
     * would, and returns its answer at once: another writer, or a state a test sets up. Not counted as a
     * message of the cluster.
     */
    public ObjectNode serviceRequest(String service, String bodyJson) {
        try {
            return services.get(service).handle("test-client", (ObjectNode) Wire.JSON.readTree(bodyJson));
        } catch (Exception e) {
            throw new IllegalArgumentException("not a request " + service + " takes: " + bodyJson, e);
        }
    }

    // ---- time -------------------------------------------------------------------------------

    public Simulation runFor(Duration duration) {
        time.runFor(duration.toNanos());
        return this;
    }

    /** Runs until {@code done} holds (checked every simulated millisecond) or {@code limit} passed; says which. */
    public boolean runUntil(BooleanSupplier done, Duration limit) {
        long end = time.elapsedNanos() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (time.elapsedNanos() >= end) {
                return false;
            }
            time.runFor(1_000_000);
        }
        return true;
    }

    /** Schedules {@code task} (a client operation, a fault) {@code delay} from now in virtual time. */
    public Simulation after(Duration delay, Runnable task) {
        time.at(delay.toNanos(), task);
        return this;
    }

    public VirtualTime time() {
        return time;
    }

    /** The simulation's own seeded random, for client loads drawn inside a test. */
    public Random random() {
        return random;
    }

    // ---- what a test looks at ---------------------------------------------------------------

    public List<String> nodeIds() {
        return List.copyOf(nodes.keySet());
    }

    public Node node(String nodeId) {
        return nodes.get(nodeId);
    }

    /** The bean of type {@code type} in node {@code nodeId}'s context. */
    public <T> T bean(String nodeId, Class<T> type) {
        return contexts.get(nodeId).getBean(type);
    }

    /** Messages with no client at either end (nodes and services), as the workbench's msgs-per-op {@code :servers}. */
    public long serverMessages() {
        return serverMessages;
    }

    /** Every message, client requests and replies included. */
    public long allMessages() {
        return allMessages;
    }

    @Override
    public void close() {
        contexts.values().forEach(ConfigurableApplicationContext::close);
        nodes.values().forEach(Node::close);
    }
}
