package dev.glomers.cluster.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * txn-list-append. Modes: {@code local} applies each transaction atomically to this node's lists, which
 * is strict serializable when it is the only node; {@code lazy} does the same and tells its peers about
 * the appends every 50 ms, so nodes read stale lists and apply appends in different orders.
 */
public final class ListAppendNode extends FakeNode {

    private final Map<String, List<JsonNode>> lists = new HashMap<>();
    private final ArrayNode unsent = JSON.createArrayNode();

    ListAppendNode(boolean replicateLazily) {
        on("txn", m -> {
            ArrayNode completed = m.path("body").path("txn").deepCopy();
            for (JsonNode mop : completed) {
                List<JsonNode> list = lists.computeIfAbsent(mop.get(1).toString(), k -> new ArrayList<>());
                if (mop.get(0).asText().equals("append")) {
                    list.add(mop.get(2));
                    if (replicateLazily) {
                        unsent.add(JSON.createArrayNode().add(mop.get(1)).add(mop.get(2)));
                    }
                } else {
                    ArrayNode read = ((ArrayNode) mop).arrayNode();
                    read.addAll(list);
                    ((ArrayNode) mop).set(2, read);
                }
            }
            var reply = body("txn_ok");
            reply.set("txn", completed);
            reply(m, reply);
        });
        on("appends", m -> {
            for (JsonNode append : m.path("body").path("appends")) {
                lists.computeIfAbsent(append.get(0).toString(), k -> new ArrayList<>()).add(append.get(1));
            }
        });
        if (replicateLazily) {
            every(50, () -> {
                if (unsent.isEmpty()) {
                    return;
                }
                for (String peer : nodeIds) {
                    if (!peer.equals(nodeId)) {
                        var gossip = body("appends");
                        gossip.set("appends", unsent.deepCopy());
                        send(peer, gossip);
                    }
                }
                unsent.removeAll();
            });
        }
    }

    public static void main(String[] args) throws Exception {
        new ListAppendNode(args.length > 0 && args[0].equals("lazy")).run();
    }
}
