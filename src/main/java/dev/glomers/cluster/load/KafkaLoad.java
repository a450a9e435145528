package dev.glomers.cluster.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.ClusterOptions;
import dev.glomers.cluster.History;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.check.KafkaChecker;
import dev.glomers.cluster.check.Replies;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The kafka workload (jepsen-io/maelstrom src/maelstrom/workload/kafka.clj over jepsen.tests.kafka):
 * clients send to a rotating pool of keys and act as consumers that assign keys, poll from their own
 * positions and commit what they polled.
 *
 * <p>The runner's seam is one request per operation and knows nothing of the worker, while the
 * workbench's kafka client keeps per-client positions and makes a poll and its commit one operation.
 * So the consumers live here: each operation names its consumer (in the invocation value, where the
 * checker finds it), a consumer is never used by two operations at once, and its commit after a poll
 * with messages is the next operation it makes. That commit is an operation of its own here; the
 * checker reports how many there were, so msgs-per-op can be given as the workbench counts it
 * (commits folded into their polls): servers msg-count / {@code workbench-op-count}.
 *
 * <p>Operations, as the workbench's generator mixes them: half sends and half polls, with an assign
 * ({@code list_committed_offsets}, then positions from the committed offsets) about one time in 64
 * and whenever a consumer has no keys. Keys: {@code --key-count} active at a time (default
 * {@value #DEFAULT_ACTIVE_KEYS}), each retired after {@code --max-writes-per-key} sends (Elle's
 * list-append key rotation). After healing, every worker polls once more, from the earliest
 * acknowledged offset not yet seen, for every key that has one.
 */
public final class KafkaLoad implements ClientLoad {

    static final int DEFAULT_ACTIVE_KEYS = 8;
    /** The workbench client times out after 5 s; a consumer whose operation got no answer rests a bit longer. */
    private static final long CONSUMER_REST_NANOS = 6_000_000_000L;

    /** One consumer: positions per assigned key, and the highest offsets polled since its last commit. */
    private static final class Consumer {
        final int id;
        final Map<String, Long> positions = new LinkedHashMap<>();
        final Map<String, Long> toCommit = new TreeMap<>();
        long busySince = -1;

        Consumer(int id) {
            this.id = id;
        }
    }

    private final List<Consumer> consumers = new ArrayList<>();
    private final List<String> activeKeys = new ArrayList<>();
    private final Map<String, Integer> writes = new HashMap<>();
    /** Per key, acknowledged offsets no poll has returned yet: what the final polls must reach. */
    private final Map<String, TreeSet<Long>> unseen = new TreeMap<>();
    private int activeKeyCount = DEFAULT_ACTIVE_KEYS;
    private int maxWritesPerKey = ClusterOptions.builder("kafka").build().maxWritesPerKey();
    private int nextKey;
    private long nextMessage;

    @Override
    public synchronized void setUp(SetupContext setup) {
        if (setup.options().keyCount() != null) {
            activeKeyCount = setup.options().keyCount();
        }
        maxWritesPerKey = setup.options().maxWritesPerKey();
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public synchronized Invocation nextInvocation(Random random) {
        while (activeKeys.size() < activeKeyCount) {
            activeKeys.add(String.valueOf(nextKey++));
        }
        Consumer consumer = freeConsumer();
        consumer.busySince = System.nanoTime();
        ObjectNode value = Json.object();
        value.put("consumer", consumer.id);
        if (!consumer.toCommit.isEmpty()) {
            value.set("offsets", Json.valueOf(consumer.toCommit));
            return Invocation.of("commit_offsets", value);
        }
        if (consumer.positions.isEmpty() || random.nextInt(64) == 0) {
            ArrayNode keys = value.putArray("keys");
            keys.add(activeKeys.get(random.nextInt(activeKeys.size())));
            // Like the workbench's poll-unseen: now and then also assign keys with sends nobody polled yet.
            if (random.nextInt(3) == 0) {
                unseen.entrySet().stream().filter(e -> !e.getValue().isEmpty()).limit(4)
                        .forEach(e -> keys.add(e.getKey()));
            }
            return Invocation.of("list_committed_offsets", value);
        }
        if (random.nextBoolean()) {
            String key = activeKeys.get(random.nextInt(activeKeys.size()));
            int count = writes.merge(key, 1, Integer::sum);
            if (count >= maxWritesPerKey) {
                activeKeys.set(activeKeys.indexOf(key), String.valueOf(nextKey++));
            }
            value.put("key", key);
            value.put("msg", nextMessage++);
            return Invocation.of("send", value);
        }
        value.set("offsets", Json.valueOf(consumer.positions));
        return Invocation.of("poll", value);
    }

    /** A consumer with no operation running (or whose last one has certainly timed out), else a new one. */
    private Consumer freeConsumer() {
        long now = System.nanoTime();
        for (Consumer consumer : consumers) {
            if (consumer.busySince < 0 || now - consumer.busySince > CONSUMER_REST_NANOS) {
                return consumer;
            }
        }
        Consumer fresh = new Consumer(consumers.size());
        consumers.add(fresh);
        return fresh;
    }

    @Override
    public synchronized Optional<Invocation> finalInvocation() {
        ObjectNode offsets = Json.object();
        unseen.forEach((key, offsetsLeft) -> {
            if (!offsetsLeft.isEmpty()) {
                offsets.put(key, offsetsLeft.first());
            }
        });
        ObjectNode value = Json.object();
        value.put("consumer", -1);
        value.set("offsets", offsets);
        return Optional.of(new Invocation("poll", value, true));
    }

    @Override
    public ObjectNode request(Invocation invocation) {
        ObjectNode body = Json.object();
        body.put("type", invocation.f());
        invocation.value().fields().forEachRemaining(field -> {
            if (!field.getKey().equals("consumer")) {
                body.set(field.getKey(), field.getValue());
            }
        });
        return body;
    }

    @Override
    public synchronized JsonNode readReply(Invocation invocation, ObjectNode reply) throws MalformedReplyException {
        ObjectNode value = invocation.value().deepCopy();
        int consumerId = value.get("consumer").asInt();
        Consumer consumer = consumerId >= 0 ? consumers.get(consumerId) : null;
        switch (invocation.f()) {
            case "send" -> {
                Replies.expect(reply, "send_ok", "offset");
                long offset = Replies.integer(reply, "offset");
                value.put("offset", offset);
                unseen.computeIfAbsent(value.get("key").asText(), k -> new TreeSet<>()).add(offset);
            }
            case "poll" -> {
                Replies.expect(reply, "poll_ok", "msgs");
                JsonNode msgs = reply.get("msgs");
                if (!msgs.isObject()) {
                    throw new MalformedReplyException("msgs must be a map of keys to [offset, msg] pairs: " + reply);
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = msgs.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> entry = it.next();
                    long highest = highestOffset(entry.getValue(), reply);
                    TreeSet<Long> left = unseen.get(entry.getKey());
                    if (left != null) {
                        entry.getValue().forEach(pair -> left.remove(pair.get(0).asLong()));
                    }
                    if (consumer != null && highest >= 0) {
                        consumer.positions.merge(entry.getKey(), highest + 1, Math::max);
                        consumer.toCommit.merge(entry.getKey(), highest, Math::max);
                    }
                }
                value.set("msgs", msgs);
            }
            case "commit_offsets" -> {
                Replies.expect(reply, "commit_offsets_ok");
                if (consumer != null) {
                    consumer.toCommit.clear();
                }
            }
            case "list_committed_offsets" -> {
                Replies.expect(reply, "list_committed_offsets_ok", "offsets");
                JsonNode committed = reply.get("offsets");
                if (!committed.isObject()) {
                    throw new MalformedReplyException("offsets must be a map of keys to offsets: " + reply);
                }
                if (consumer != null) {
                    // An assign replaces the keys; a key kept keeps its position, a new one starts at the
                    // committed offset (or 0), as the workbench's client does.
                    Map<String, Long> positions = new LinkedHashMap<>();
                    for (JsonNode key : value.get("keys")) {
                        Long position = consumer.positions.get(key.asText());
                        JsonNode at = committed.get(key.asText());
                        positions.put(key.asText(), position != null ? position : at != null ? at.asLong() : 0L);
                    }
                    consumer.positions.clear();
                    consumer.positions.putAll(positions);
                }
                value.set("offsets", committed);
            }
            default -> throw new MalformedReplyException("no such operation " + invocation.f());
        }
        if (consumer != null) {
            consumer.busySince = -1;
        }
        return value;
    }

    private static long highestOffset(JsonNode pairs, ObjectNode reply) throws MalformedReplyException {
        if (!pairs.isArray()) {
            throw new MalformedReplyException("msgs values must be arrays of [offset, msg]: " + reply);
        }
        long highest = -1;
        for (JsonNode pair : pairs) {
            if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isIntegralNumber()) {
                throw new MalformedReplyException("not an [offset, msg] pair: " + pair);
            }
            highest = Math.max(highest, pair.get(0).asLong());
        }
        return highest;
    }

    @Override
    public List<CheckResult> check(History history, CheckContext context) {
        return List.of(new KafkaChecker().check(history));
    }
}
