package dev.glomers.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The workbench's built-in services (jepsen-io/maelstrom src/maelstrom/service.clj,
 * {@code default-services}): {@code lin-kv}, {@code seq-kv}, {@code lww-kv} and {@code lin-tso}. They sit
 * outside partitions (the partition nemesis only cuts links between nodes) but their traffic with nodes
 * is server-to-server, so it gets the latency and counts in msgs-per-op {@code :servers}.
 */
public final class Services {

    public static final List<String> NAMES = List.of("lin-kv", "seq-kv", "lww-kv", "lin-tso");

    private Services() {
    }

    /** A service's request handler; calls are serialised by the caller. */
    public interface Service {
        ObjectNode handle(String src, ObjectNode request);
    }

    public static Service create(String name, Random random) {
        return switch (name) {
            case "lin-kv" -> new LinearizableKv();
            case "seq-kv" -> new SequentialKv(random, 32);
            case "lww-kv" -> new LastWriteWinsKv(random, 2);
            case "lin-tso" -> new TimestampOracle();
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Registers every service on the network; each replies from its own id. */
    static void start(Network network, Random random) {
        for (String name : NAMES) {
            Service service = create(name, new Random(random.nextLong()));
            network.register(name, message -> {
                ObjectNode request = (ObjectNode) message.get("body");
                ObjectNode reply;
                synchronized (service) {
                    reply = service.handle(message.path("src").asText(), request);
                }
                if (request.has("msg_id")) {
                    reply.set("in_reply_to", request.get("msg_id"));
                }
                ObjectNode out = Json.object();
                out.put("src", name);
                out.set("dest", message.get("src"));
                out.set("body", reply);
                network.send(out);
            });
        }
    }

    static ObjectNode reply(String type) {
        ObjectNode body = Json.object();
        body.put("type", type);
        return body;
    }

    static ObjectNode error(int code, String text) {
        ObjectNode body = reply("error");
        body.put("code", code);
        body.put("text", text);
        return body;
    }

    static ObjectNode keyDoesNotExist() {
        return error(20, "key does not exist");
    }

    /** lin-kv: one state, every request applied to it in arrival order. */
    static final class LinearizableKv implements Service {
        private KvState state = KvState.EMPTY;

        @Override
        public ObjectNode handle(String src, ObjectNode request) {
            KvState.Step step = state.apply(request);
            state = step.next();
            return step.reply();
        }
    }

    /**
     * seq-kv, as the workbench's {@code Sequential} wrapper: it keeps the last {@code capacity} states. A
     * request from a client is tried on a random state between the newest one this client has seen and
     * the one before the newest (the newest itself only when the client is already there). If it changes
     * nothing there (a read, a failed cas, a write of the value already held), that answer stands and
     * the client is now at that state. Otherwise it is applied to the newest state, which makes a new
     * newest state, and the client moves there. So reads are stale but never go back in time per client.
     */
    static final class SequentialKv implements Service {
        private final Random random;
        private final int capacity;
        private final List<KvState> states = new ArrayList<>(List.of(KvState.EMPTY));
        private long firstIndex = 0;
        private final Map<String, Long> seenBy = new HashMap<>();

        SequentialKv(Random random, int capacity) {
            this.random = random;
            this.capacity = capacity;
        }

        @Override
        public ObjectNode handle(String src, ObjectNode request) {
            long last = firstIndex + states.size() - 1;
            long from = Math.max(seenBy.getOrDefault(src, 0L), firstIndex);
            long index = from < last ? from + (long) (random.nextDouble() * (last - from)) : last;
            KvState candidate = states.get((int) (index - firstIndex));
            KvState.Step step = candidate.apply(request);
            if (!step.changed(candidate)) {
                seenBy.put(src, index);
                return step.reply();
            }
            KvState.Step onNewest = states.get(states.size() - 1).apply(request);
            states.add(onNewest.next());
            if (states.size() > capacity) {
                states.remove(0);
                firstIndex++;
            }
            seenBy.put(src, last + 1);
            return onNewest.reply();
        }
    }

    /**
     * lww-kv, as the workbench's {@code Eventual} wrapper around {@code LWWKV}: several replicas, each
     * request served by a random one. The workbench computes a merge of two random replicas on every
     * request but then applies the request to the unmerged vector, so its replicas never converge; we
     * reproduce that observable behaviour (independent replicas), which is what makes it pathological.
     */
    static final class LastWriteWinsKv implements Service {
        private final Random random;
        private final List<Map<JsonNode, JsonNode>> replicas = new ArrayList<>();

        LastWriteWinsKv(Random random, int replicaCount) {
            this.random = random;
            for (int i = 0; i < replicaCount; i++) {
                replicas.add(new HashMap<>());
            }
        }

        @Override
        public ObjectNode handle(String src, ObjectNode request) {
            Map<JsonNode, JsonNode> replica = replicas.get(random.nextInt(replicas.size()));
            JsonNode key = request.has("key") ? Json.canonical(request.get("key")) : null;
            if (key == null) {
                return error(12, "missing key");
            }
            JsonNode current = replica.get(key);
            switch (request.path("type").asText()) {
                case "read":
                    return current == null ? keyDoesNotExist() : reply("read_ok").set("value", current);
                case "write":
                    replica.put(key, Json.canonical(request.path("value")));
                    return reply("write_ok");
                case "cas":
                    // The workbench's LWW store has no create_if_not_exists.
                    if (current == null) {
                        return keyDoesNotExist();
                    }
                    if (!current.equals(Json.canonical(request.get("from")))) {
                        return error(22, "current value " + Json.write(current) + " is not "
                                + Json.write(request.path("from")));
                    }
                    replica.put(key, Json.canonical(request.path("to")));
                    return reply("cas_ok");
                default:
                    return error(10, "unsupported request type " + request.path("type").asText());
            }
        }
    }

    /** lin-tso: a linearizable counter handing out timestamps 0, 1, 2, ... */
    static final class TimestampOracle implements Service {
        private long next = 0;

        @Override
        public ObjectNode handle(String src, ObjectNode request) {
            if (!request.path("type").asText().equals("ts")) {
                return error(10, "unsupported request type " + request.path("type").asText());
            }
            ObjectNode reply = reply("ts_ok");
            reply.put("ts", next++);
            return reply;
        }
    }
}
