package dev.glomers.cluster.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.Topologies;
import java.util.List;
import java.util.Map;

/**
 * broadcast (jepsen-io/maelstrom src/maelstrom/workload/broadcast.clj): set-up sends each node its
 * {@code topology} (grid by default); clients then mix, half and half, {@code broadcast} of 0, 1, 2, ...
 * and {@code read}; after healing and the recovery wait, every worker reads once more. Checked with
 * set-full (every acknowledged value eventually in every read), giving the stable-latency quantiles.
 * The workbench's client does not interpret error replies, so every error is indeterminate.
 */
public final class BroadcastLoad extends SetLoad {

    public BroadcastLoad() {
        super("broadcast", "message", "messages");
    }

    @Override
    public String name() {
        return "broadcast";
    }

    @Override
    public void setUp(SetupContext setup) throws SetupException {
        Map<String, List<String>> topology = Topologies.of(setup.options().topology(), setup.nodeIds());
        ObjectNode body = Json.object();
        body.put("type", "topology");
        body.set("topology", Json.valueOf(topology));
        for (String node : setup.nodeIds()) {
            ObjectNode reply = setup.rpc(node, body);
            if (!reply.path("type").asText().equals("topology_ok")) {
                throw new SetupException(node + " answered topology with " + reply);
            }
        }
    }
}
