package dev.glomers.workload.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Message;
import dev.glomers.node.Wire;
import dev.glomers.testing.InMemoryCluster;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A linearizable key-value service for {@link InMemoryCluster}: one map, one request at a time, with
 * the workbench's read / write / cas (create_if_not_exists included) and errors 20 and 22.
 */
final class LinKvService implements InMemoryCluster.Service {

    private final Map<JsonNode, JsonNode> values = new HashMap<>();
    private final AtomicInteger preconditionFailures = new AtomicInteger();
    private final AtomicInteger casRequests = new AtomicInteger();
    /** When set, every cas is answered with this error code. */
    private volatile Integer casError;
    /** Runs before each cas, with the map: lets a test play another writer. */
    private volatile Consumer<Map<JsonNode, JsonNode>> beforeCas = map -> { };

    @Override
    public synchronized ObjectNode handle(Message request) {
        ObjectNode body = request.body();
        JsonNode key = body.get("key");
        ObjectNode reply = Wire.JSON.createObjectNode();
        switch (request.type()) {
            case "read" -> {
                if (!values.containsKey(key)) {
                    return error(20, "key does not exist");
                }
                reply.put("type", "read_ok");
                reply.set("value", values.get(key));
            }
            case "write" -> {
                values.put(key, body.get("value"));
                reply.put("type", "write_ok");
            }
            case "cas" -> {
                casRequests.incrementAndGet();
                if (casError != null) {
                    return error(casError, "refused by the test");
                }
                beforeCas.accept(values);
                if (!values.containsKey(key)) {
                    if (!body.path("create_if_not_exists").asBoolean(false)) {
                        return error(20, "key does not exist");
                    }
                } else if (!values.get(key).equals(body.get("from"))) {
                    preconditionFailures.incrementAndGet();
                    return error(22, "current value " + values.get(key) + " is not " + body.get("from"));
                }
                values.put(key, body.get("to"));
                reply.put("type", "cas_ok");
            }
            default -> {
                return error(10, "unsupported " + request.type());
            }
        }
        return reply;
    }

    synchronized JsonNode value(String key) {
        return values.get(Wire.JSON.getNodeFactory().textNode(key));
    }

    int preconditionFailures() {
        return preconditionFailures.get();
    }

    int casRequests() {
        return casRequests.get();
    }

    void failEveryCasWith(int code) {
        this.casError = code;
    }

    void beforeCas(Consumer<Map<JsonNode, JsonNode>> action) {
        this.beforeCas = action;
    }

    private static ObjectNode error(int code, String text) {
        ObjectNode error = Wire.JSON.createObjectNode();
        error.put("type", "error");
        error.put("code", code);
        error.put("text", text);
        return error;
    }
}
