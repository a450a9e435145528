package dev.glomers.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;

/**
 * An immutable key-value state and its request semantics (jepsen-io/maelstrom src/maelstrom/service.clj,
 * {@code PersistentKV}): read, write, cas with {@code create_if_not_exists}. Applying a request that
 * changes nothing returns this very state, which is how the sequential service tells reads (and no-op
 * writes) from changes.
 */
final class KvState {

    static final KvState EMPTY = new KvState(Map.of());

    private final Map<JsonNode, JsonNode> values;

    private KvState(Map<JsonNode, JsonNode> values) {
        this.values = values;
    }

    /** The state after {@code request}, and the reply body (without in_reply_to). */
    record Step(KvState next, ObjectNode reply) {
        boolean changed(KvState before) {
            return next != before;
        }
    }

    Step apply(ObjectNode request) {
        JsonNode key = request.has("key") ? Json.canonical(request.get("key")) : null;
        String type = request.path("type").asText();
        if (key == null && (type.equals("read") || type.equals("write") || type.equals("cas"))) {
            return new Step(this, Services.error(12, "missing key"));
        }
        return switch (type) {
            case "read" -> values.containsKey(key)
                    ? new Step(this, Services.reply("read_ok").set("value", values.get(key)))
                    : new Step(this, Services.keyDoesNotExist());
            case "write" -> new Step(with(key, request.get("value")), Services.reply("write_ok"));
            case "cas" -> cas(key, request);
            default -> new Step(this, Services.error(10, "unsupported request type " + type));
        };
    }

    private Step cas(JsonNode key, ObjectNode request) {
        JsonNode current = values.get(key);
        if (current == null) {
            return request.path("create_if_not_exists").asBoolean(false)
                    ? new Step(with(key, request.get("to")), Services.reply("cas_ok"))
                    : new Step(this, Services.keyDoesNotExist());
        }
        if (!current.equals(Json.canonical(request.get("from")))) {
            return new Step(this, Services.error(22,
                    "current value " + Json.write(current) + " is not " + Json.write(request.path("from"))));
        }
        return new Step(with(key, request.get("to")), Services.reply("cas_ok"));
    }

    private KvState with(JsonNode key, JsonNode value) {
        JsonNode v = Json.canonical(value);
        if (v.equals(values.get(key))) {
            return this;
        }
        Map<JsonNode, JsonNode> next = new HashMap<>(values);
        next.put(key, v);
        return new KvState(Map.copyOf(next));
    }
}
