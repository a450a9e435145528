package dev.glomers.workload.counter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Message;
import dev.glomers.node.Wire;
import dev.glomers.testing.InMemoryCluster;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A test model of the workbench's {@code seq-kv}, as stale as it is allowed to be: it keeps the last
 * {@code history} states; an operation that would not change the state runs on a random one of the
 * states between the newest this client has seen and the newest of all (and moves the client
 * there); one that changes it runs on the newest and moves the client there. Optionally it loses
 * replies after applying the operation (the worst case for a writer: done, but not acknowledged).
 */
final class StaleSeqKv implements InMemoryCluster.Service {

    private final List<Map<String, JsonNode>> states = new ArrayList<>();
    private final Map<String, Integer> clientIndex = new HashMap<>();
    private final Random random;
    private final int history;
    private volatile double replyLoss;
    private volatile double delay;
    private final List<Message> delayed = new ArrayList<>();
    private int lateChanges;
    private volatile boolean down;
    private int firstIndex;

    StaleSeqKv(long seed, int history) {
        this.random = new Random(seed);
        this.history = history;
        states.add(Map.of());
    }

    /** Applies operations but loses this fraction of replies. */
    StaleSeqKv replyLoss(double fraction) {
        this.replyLoss = fraction;
        return this;
    }

    /**
     * Holds back this fraction of requests and applies each later, unanswered, at a random later
     * request: a message that outlived its sender's timeout and the sender's read-back.
     */
    StaleSeqKv delay(double fraction) {
        this.delay = fraction;
        return this;
    }

    /** While down, requests are lost entirely (never applied, never answered). */
    void down(boolean down) {
        this.down = down;
    }

    /** How many held-back requests changed the state when they were finally applied. */
    synchronized int lateChanges() {
        return lateChanges;
    }

    /** The newest state's value of {@code key}, or null. */
    synchronized JsonNode latest(String key) {
        return states.get(states.size() - 1).get(Wire.JSON.valueToTree(key).toString());
    }

    @Override
    public synchronized ObjectNode handle(Message request) {
        if (down) {
            return null;
        }
        if (!delayed.isEmpty() && random.nextDouble() < 0.3) {
            int before = states.size() + firstIndex;
            execute(delayed.remove(random.nextInt(delayed.size())));
            if (states.size() + firstIndex != before) {
                lateChanges++;
            }
        }
        if (random.nextDouble() < delay) {
            delayed.add(request);
            return null;
        }
        ObjectNode reply = execute(request);
        return random.nextDouble() < replyLoss ? null : reply;
    }

    private ObjectNode execute(Message request) {
        int last = firstIndex + states.size() - 1;
        int from = Math.max(clientIndex.getOrDefault(request.src(), 0), firstIndex);
        int index = from + random.nextInt(last - from + 1);
        Map<String, JsonNode> state = states.get(index - firstIndex);
        Map<String, JsonNode> next = new HashMap<>(state);
        ObjectNode reply = apply(next, request.body());
        if (!next.equals(state)) {
            next = new HashMap<>(states.get(states.size() - 1));
            reply = apply(next, request.body());
            states.add(next);
            if (states.size() > history) {
                states.remove(0);
                firstIndex++;
            }
            index = firstIndex + states.size() - 1;
        }
        clientIndex.put(request.src(), index);
        return reply;
    }

    private static ObjectNode apply(Map<String, JsonNode> state, ObjectNode body) {
        ObjectNode reply = Wire.JSON.createObjectNode();
        String key = body.path("key").toString();
        JsonNode current = state.get(key);
        switch (body.path("type").asText()) {
            case "read" -> {
                if (current == null) {
                    return error(20, "key does not exist");
                }
                reply.put("type", "read_ok");
                reply.set("value", current);
            }
            case "write" -> {
                state.put(key, body.get("value"));
                reply.put("type", "write_ok");
            }
            case "cas" -> {
                if (current == null) {
                    if (!body.path("create_if_not_exists").asBoolean(false)) {
                        return error(20, "key does not exist");
                    }
                } else if (!current.equals(body.get("from"))) {
                    return error(22, "current value " + current + " is not " + body.get("from"));
                }
                state.put(key, body.get("to"));
                reply.put("type", "cas_ok");
            }
            default -> {
                return error(10, "unsupported");
            }
        }
        return reply;
    }

    private static ObjectNode error(int code, String text) {
        ObjectNode error = Wire.JSON.createObjectNode();
        error.put("type", "error");
        error.put("code", code);
        error.put("text", text);
        return error;
    }
}
