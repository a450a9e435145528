package dev.glomers.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.NodeApplication;
import dev.glomers.node.Message;
import dev.glomers.node.Node;
import dev.glomers.node.Wire;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Whole nodes, wired by Spring, talking through an in-memory network: layer 2 of the tests.
 *
 * <pre>
 * try (InMemoryCluster cluster = InMemoryCluster.start("broadcast", 5)) {
 *     cluster.latency(Duration.ofMillis(20));
 *     cluster.partition(Set.of("n0", "n1"), Set.of("n2", "n3", "n4"));
 *     Message reply = cluster.request("n0", "{\"type\":\"broadcast\",\"message\":7}").get(5, SECONDS);
 *     cluster.heal();
 * }
 * </pre>
 *
 * Each node is its own Spring context started with the given profiles, initialised with
 * {@code init} before {@code start} returns. Server-to-server messages (services included) take the
 * configured latency and are dropped across a partition, judged when sent; client messages are
 * instant. Services are functions from a request to a reply body (or null for no reply).
 */
public final class InMemoryCluster implements AutoCloseable {

    /** A service endpoint such as {@code lin-kv}: answers a request with a reply body, or null for none. */
    @FunctionalInterface
    public interface Service {
        ObjectNode handle(Message request);
    }

    private final Map<String, ConfigurableApplicationContext> contexts = new LinkedHashMap<>();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Service> services = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<Message>> pendingClientRequests = new ConcurrentHashMap<>();
    private final ScheduledExecutorService network = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "in-memory-network");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicLong clientMsgIds = new AtomicLong();
    private final AtomicLong serverMessages = new AtomicLong();
    private final AtomicLong allMessages = new AtomicLong();
    private volatile Duration latency = Duration.ZERO;
    private volatile Map<String, Integer> partitionSide = Map.of();

    private InMemoryCluster() {
    }

    /** Starts {@code nodeCount} nodes n0.. with {@code profiles} and further Spring arguments, all initialised. */
    public static InMemoryCluster start(String profiles, int nodeCount, String... springArgs) {
        InMemoryCluster cluster = new InMemoryCluster();
        try {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < nodeCount; i++) {
                ids.add("n" + i);
            }
            for (String id : ids) {
                ConfigurableApplicationContext context = NodeApplication.start(profiles, springArgs);
                Node node = context.getBean(Node.class);
                node.connect(line -> cluster.route(line));
                cluster.contexts.put(id, context);
                cluster.nodes.put(id, node);
            }
            List<CompletableFuture<Message>> inits = new ArrayList<>();
            for (String id : ids) {
                ObjectNode init = Wire.JSON.createObjectNode();
                init.put("type", "init");
                init.put("node_id", id);
                init.set("node_ids", Wire.JSON.valueToTree(ids));
                inits.add(cluster.request(id, init));
            }
            for (CompletableFuture<Message> init : inits) {
                Message reply = init.get(10, TimeUnit.SECONDS);
                if (!"init_ok".equals(reply.type())) {
                    throw new IllegalStateException("init answered with " + reply.body());
                }
            }
            return cluster;
        } catch (Exception e) {
            cluster.close();
            throw new IllegalStateException("cluster did not start", e);
        }
    }

    public List<String> nodeIds() {
        return List.copyOf(nodes.keySet());
    }

    /** The bean of type {@code type} in node {@code nodeId}'s context. */
    public <T> T bean(String nodeId, Class<T> type) {
        return contexts.get(nodeId).getBean(type);
    }

    /** Delay of every server-to-server message from now on. */
    public InMemoryCluster latency(Duration latency) {
        this.latency = latency;
        return this;
    }

    public InMemoryCluster service(String name, Service service) {
        services.put(name, service);
        return this;
    }

    /** Cuts the nodes into the given sides; nodes not named form one more side. Services stay reachable. */
    @SafeVarargs
    public final void partition(Collection<String>... sides) {
        Map<String, Integer> sideOf = new HashMap<>();
        for (String node : nodes.keySet()) {
            sideOf.put(node, sides.length);
        }
        for (int side = 0; side < sides.length; side++) {
            for (String node : sides[side]) {
                sideOf.put(node, side);
            }
        }
        partitionSide = Map.copyOf(sideOf);
    }

    public void heal() {
        partitionSide = Map.of();
    }

    /** Sends a client request (a fresh client id and msg_id) to a node; completes with its reply. */
    public CompletableFuture<Message> request(String nodeId, String bodyJson) {
        try {
            return request(nodeId, (ObjectNode) Wire.JSON.readTree(bodyJson));
        } catch (Exception e) {
            throw new IllegalArgumentException("not a JSON object: " + bodyJson, e);
        }
    }

    public CompletableFuture<Message> request(String nodeId, ObjectNode body) {
        long msgId = clientMsgIds.incrementAndGet();
        ObjectNode request = body.deepCopy();
        request.put("msg_id", msgId);
        CompletableFuture<Message> reply = new CompletableFuture<>();
        pendingClientRequests.put(msgId, reply);
        String client = "c" + msgId;
        allMessages.incrementAndGet();
        nodes.get(nodeId).receive(Wire.line(client, nodeId, request));
        return reply;
    }

    /** Messages between non-clients (nodes and services), as the workbench's msgs-per-op counts them. */
    public long serverMessages() {
        return serverMessages.get();
    }

    /** Every message, client requests and replies included. */
    public long allMessages() {
        return allMessages.get();
    }

    private void route(String line) {
        Message message = Wire.parse(line);
        if (message == null) {
            throw new IllegalStateException("a node wrote a line that is not a message: " + line);
        }
        allMessages.incrementAndGet();
        if (Message.isClient(message.dest())) {
            CompletableFuture<Message> pending = pendingClientRequests.remove(message.inReplyTo());
            if (pending != null) {
                pending.complete(message);
            }
            return;
        }
        serverMessages.incrementAndGet();
        if (cutOff(message.src(), message.dest())) {
            return;
        }
        network.schedule(() -> deliver(message, line), latency.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void deliver(Message message, String line) {
        Node node = nodes.get(message.dest());
        if (node != null) {
            node.receive(line);
            return;
        }
        Service service = services.get(message.dest());
        if (service == null) {
            return;
        }
        ObjectNode reply = service.handle(message);
        if (reply != null) {
            reply.put("in_reply_to", message.msgId());
            route(Wire.line(message.dest(), message.src(), reply));
        }
    }

    private boolean cutOff(String src, String dest) {
        Map<String, Integer> sides = partitionSide;
        Integer from = sides.get(src);
        Integer to = sides.get(dest);
        return from != null && to != null && !from.equals(to);
    }

    @Override
    public void close() {
        network.shutdownNow();
        contexts.values().forEach(ConfigurableApplicationContext::close);
    }

    /** Node ids in a set, for {@link #partition}. */
    public static Set<String> side(String... nodeIds) {
        return Set.of(nodeIds);
    }
}
