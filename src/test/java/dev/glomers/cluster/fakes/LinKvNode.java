package dev.glomers.cluster.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;

/**
 * lin-kv in memory. Modes:
 * <ul>
 * <li>{@code local}: every node serves everything from its own map; linearizable on one node only.
 * <li>{@code primary}: every node forwards every operation to n0, which alone holds the map; linearizable on
 * any number of nodes (a forward lost in a partition leaves the client with a timeout, an indeterminate op).
 * <li>{@code lazy}: writes and cas go to n0, which replicates its map to the others only every
 * {@value #LAZY_REPLICATION_MILLIS} ms, and every node serves reads from its own copy: stale reads, not
 * linearizable.
 * </ul>
 */
public final class LinKvNode extends FakeNode {

    static final long LAZY_REPLICATION_MILLIS = 1000;
    private static final String PRIMARY = "n0";

    private final String mode;
    private final Map<String, JsonNode> map = new HashMap<>();

    LinKvNode(String mode) {
        this.mode = mode;
        on("read", m -> {
            if (forwards("primary")) {
                forward(m);
            } else {
                serve(m);
            }
        });
        on("write", m -> {
            if (forwards("primary") || forwards("lazy")) {
                forward(m);
            } else {
                serve(m);
            }
        });
        on("cas", m -> {
            if (forwards("primary") || forwards("lazy")) {
                forward(m);
            } else {
                serve(m);
            }
        });
        on("replicate", m -> {
            map.clear();
            m.path("body").path("map").fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue()));
        });
    }

    @Override
    void onInit() {
        if (mode.equals("lazy") && nodeId.equals(PRIMARY)) {
            every(LAZY_REPLICATION_MILLIS, () -> {
                for (String peer : nodeIds) {
                    if (!peer.equals(PRIMARY)) {
                        ObjectNode replicate = body("replicate");
                        ObjectNode copy = replicate.putObject("map");
                        map.forEach(copy::set);
                        send(peer, replicate);
                    }
                }
            });
        }
    }

    /** True when this node is not the primary and {@code mode} sends the request there. */
    private boolean forwards(String forwardingMode) {
        return mode.equals(forwardingMode) && !nodeId.equals(PRIMARY);
    }

    private void forward(ObjectNode request) {
        ObjectNode body = request.path("body").deepCopy();
        body.remove("msg_id");
        rpc(PRIMARY, body, answer -> {
            ObjectNode relayed = answer.deepCopy();
            relayed.remove("in_reply_to");
            relayed.remove("msg_id");
            reply(request, relayed);
        });
    }

    private void serve(ObjectNode request) {
        JsonNode body = request.path("body");
        String key = body.path("key").asText();
        JsonNode current = map.get(key);
        switch (body.path("type").asText()) {
            case "read" -> {
                if (current == null) {
                    reply(request, error(20, "no such key"));
                } else {
                    ObjectNode ok = body("read_ok");
                    ok.set("value", current);
                    reply(request, ok);
                }
            }
            case "write" -> {
                map.put(key, body.path("value"));
                reply(request, body("write_ok"));
            }
            default -> {
                if (current == null) {
                    reply(request, error(20, "no such key"));
                } else if (!current.equals(body.path("from"))) {
                    reply(request, error(22, "value is " + current));
                } else {
                    map.put(key, body.path("to"));
                    reply(request, body("cas_ok"));
                }
            }
        }
    }

    private static ObjectNode error(int code, String text) {
        ObjectNode error = body("error");
        error.put("code", code);
        error.put("text", text);
        return error;
    }

    public static void main(String[] args) throws Exception {
        new LinKvNode(args.length == 0 ? "local" : args[0]).run();
    }
}
