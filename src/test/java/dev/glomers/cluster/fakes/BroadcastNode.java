package dev.glomers.cluster.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.TreeSet;

/**
 * Broadcast. Modes: {@code gossip} sends its whole set to every other node every 100 ms (slow but correct
 * under partitions); {@code once} forwards each new value once to every other node and never again, so
 * values sent across a partition are lost for good.
 */
public final class BroadcastNode extends FakeNode {

    private final TreeSet<Long> values = new TreeSet<>();

    BroadcastNode(boolean gossip) {
        on("topology", m -> reply(m, body("topology_ok")));
        on("broadcast", m -> {
            long value = m.path("body").path("message").asLong();
            if (values.add(value) && !gossip) {
                for (String other : nodeIds) {
                    if (!other.equals(nodeId)) {
                        var forward = body("forward");
                        forward.put("message", value);
                        send(other, forward);
                    }
                }
            }
            reply(m, body("broadcast_ok"));
        });
        on("forward", m -> values.add(m.path("body").path("message").asLong()));
        on("gossip", m -> {
            for (JsonNode v : m.path("body").path("messages")) {
                values.add(v.asLong());
            }
        });
        on("read", m -> {
            var reply = body("read_ok");
            var messages = reply.putArray("messages");
            values.forEach(messages::add);
            reply(m, reply);
        });
        if (gossip) {
            every(100, () -> {
                if (nodeId == null || values.isEmpty()) {
                    return;
                }
                for (String other : nodeIds) {
                    if (!other.equals(nodeId)) {
                        var g = body("gossip");
                        var messages = g.putArray("messages");
                        values.forEach(messages::add);
                        send(other, g);
                    }
                }
            });
        }
    }

    public static void main(String[] args) throws Exception {
        new BroadcastNode(args.length == 0 || args[0].equals("gossip")).run();
    }
}
