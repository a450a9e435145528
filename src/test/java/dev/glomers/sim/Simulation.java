package dev.glomers.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.Services;
import dev.glomers.node.Message;
import dev.glomers.node.Node;
import dev.glomers.node.Wire;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

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
    private final SimulatedProcesses processes;
    private final List<String> refusedRestarts = new ArrayList<>();

    private Simulation(long seed, boolean durable, SimulatedProcesses.NodeFactory factory) {
        this.random = new Random(seed);
        for (String name : Services.NAMES) {
            services.put(name, Services.create(name, new Random(random.nextLong())));
        }
        this.processes = new SimulatedProcesses(time, random, durable, factory, this::route);
    }

    /**
     * Starts {@code nodeCount} nodes n0.. with Spring {@code profiles} (and further Spring arguments), all
     * given {@code init} and initialised before this returns. In memory, as the workbench runs them.
     */
    public static Simulation start(String profiles, int nodeCount, long seed, String... springArgs) {
        return start(nodeCount, seed, false, SimulatedProcesses.spring(profiles, springArgs));
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
        return start(nodeCount, seed, true, SimulatedProcesses.spring(profiles, springArgs));
    }

    /**
     * Starts {@code nodeCount} plain nodes without Spring, each wired by {@code wiring} (which registers
     * handlers or drives a core, as a workload bean's constructor does), then initialised.
     */
    public static Simulation startWired(int nodeCount, long seed, Consumer<Node> wiring) {
        return start(nodeCount, seed, false, SimulatedProcesses.wired(wiring));
    }

    /** As {@link #startWired}, each node durable as in {@link #startDurable}: for cores in the test tree. */
    public static Simulation startWiredDurable(int nodeCount, long seed, Consumer<Node> wiring) {
        return start(nodeCount, seed, true, SimulatedProcesses.wired(wiring));
    }

    private static Simulation start(int nodeCount, long seed, boolean durable, SimulatedProcesses.NodeFactory factory) {
        Simulation sim = new Simulation(seed, durable, factory);
        try {
            for (int i = 0; i < nodeCount; i++) {
                sim.processes.add("n" + i);
            }
            List<CompletableFuture<Message>> inits = new ArrayList<>();
            for (String id : sim.nodeIds()) {
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

    private CompletableFuture<Message> init(String id) {
        ObjectNode init = Wire.JSON.createObjectNode();
        init.put("type", "init");
        init.put("node_id", id);
        init.set("node_ids", Wire.JSON.valueToTree(nodeIds()));
        return request(id, init);
    }

    // ---- process faults (Jepsen's kill and pause) -------------------------------------------

    /**
     * Kills node {@code id} at once, wherever it is: its memory and its queued work (timers, input, a sync
     * under way) are gone, nothing more leaves it, and messages to it are dropped until {@link #restart}.
     * A durable node's disk keeps only what was synced, and may keep a torn prefix of the last unsynced
     * write ({@link SimulatedDisk#crash}). Callable from a task ({@link #after}) at any virtual moment.
     */
    public Simulation crash(String id) {
        processes.crash(id);
        return this;
    }

    /**
     * One random process fault (Jepsen's kill or pause): a running node, drawn from the seed, is crashed and
     * restarted, or paused and resumed, after a random time up to {@code downFor}. A fault schedule is a loop
     * of this and {@link #runFor}; {@link #healProcesses} ends it:
     * <pre>
     * for (int i = 0; i &lt; 50; i++) {
     *     sim.crashOrPauseAtRandom(Duration.ofMillis(500));
     *     sim.runFor(Duration.ofMillis(sim.random().nextInt(300)));
     * }
     * sim.healProcesses().runFor(Duration.ofSeconds(5)); // then check nothing acknowledged was lost
     * </pre>
     */
    public Simulation crashOrPauseAtRandom(Duration downFor) {
        List<String> up = nodeIds().stream().filter(this::isUp).filter(id -> !processes.isPaused(id)).toList();
        if (up.isEmpty()) {
            return this;
        }
        String id = up.get(random.nextInt(up.size()));
        Duration down = Duration.ofNanos(1 + (long) (random.nextDouble() * downFor.toNanos()));
        if (random.nextBoolean()) {
            crash(id);
            after(down, () -> {
                if (!isUp(id)) {
                    restart(id);
                }
            });
        } else {
            pause(id);
            after(down, () -> resume(id));
        }
        return this;
    }

    /** Restarts every crashed node and resumes every paused one (the end of a fault schedule). */
    public Simulation healProcesses() {
        for (String id : nodeIds()) {
            if (!isUp(id)) {
                restart(id);
            } else {
                resume(id);
            }
        }
        return this;
    }

    /**
     * Starts a crashed node again: a fresh context (or wired node) with the same id on the same disk, given
     * {@code init} with the same node_ids; returns the future of its answer (init_ok, or an error when its
     * storage refuses to start). It serves once that answer is out.
     */
    public CompletableFuture<Message> restart(String id) {
        processes.relaunch(id);
        CompletableFuture<Message> answer = init(id);
        answer.thenAccept(reply -> {
            if (!"init_ok".equals(reply.type())) {
                refusedRestarts.add(id + ": " + reply.body());
            }
        });
        return answer;
    }

    /**
     * Stops node {@code id} as SIGSTOP does: it runs nothing (no input handled, no output, no timer, no sync
     * completes) until {@link #resume}; input that arrives meanwhile is handled after, in order, and its clock
     * has jumped.
     */
    public Simulation pause(String id) {
        processes.pause(id);
        return this;
    }

    public Simulation resume(String id) {
        processes.resume(id);
        return this;
    }

    /** Whether node {@code id} is running (not crashed; a paused node counts as running). */
    public boolean isUp(String id) {
        return processes.isUp(id);
    }

    /** Mean virtual time a sync of a durable node takes from now on (each drawn in [mean/2, 3 mean/2]). */
    public Simulation syncLatency(Duration mean) {
        processes.syncLatency(mean.toNanos());
        return this;
    }

    /** Node {@code id}'s disk (durable simulations only). */
    public SimulatedDisk disk(String id) {
        return processes.disk(id);
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
        nodeIds().forEach(node -> sideOf.put(node, sides.length));
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
        List<String> ids = new ArrayList<>(nodeIds());
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
        Node node = processes.node(message.dest());
        if (node != null) {
            if (!isUp(message.dest())) {
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
        if (!isUp(nodeId)) {
            return reply; // never answered: indeterminate, as a request to a dead process is
        }
        pendingClientRequests.put(msgId, reply);
        processes.node(nodeId).receive(Wire.line("c" + msgId, nodeId, request));
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
        requireRestartsServed();
        return this;
    }

    /** A restarted node whose storage refused to start (corruption, say) fails the run at once, loudly. */
    private void requireRestartsServed() {
        if (!refusedRestarts.isEmpty()) {
            throw new IllegalStateException("a restarted node refused to start: " + refusedRestarts);
        }
    }

    /** Runs until {@code done} holds (checked every simulated millisecond) or {@code limit} passed; says which. */
    public boolean runUntil(BooleanSupplier done, Duration limit) {
        long end = time.elapsedNanos() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (time.elapsedNanos() >= end) {
                return false;
            }
            time.runFor(1_000_000);
            requireRestartsServed();
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
        return processes.ids();
    }

    public Node node(String nodeId) {
        return processes.node(nodeId);
    }

    /** The bean of type {@code type} in node {@code nodeId}'s context. */
    public <T> T bean(String nodeId, Class<T> type) {
        return processes.bean(nodeId, type);
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
        processes.close();
    }
}
