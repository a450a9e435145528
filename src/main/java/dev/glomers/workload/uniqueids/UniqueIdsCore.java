package dev.glomers.workload.uniqueids;

import dev.glomers.node.Body;
import dev.glomers.node.Core;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import java.util.List;

/**
 * Ids unique across the cluster with no node-to-node message at all, so partitions cannot touch
 * availability: an {@link IdSequence} in this node's residue class (its position in {@code node_ids},
 * which every node got in the same order), started from the time the core is started with.
 */
final class UniqueIdsCore implements Core {

    record GenerateOk(long id) implements Body {
        @Override
        public String type() {
            return "generate_ok";
        }
    }

    private final IdSequence ids = new IdSequence();
    private final int nodeIndex;
    private final int clusterSize;

    UniqueIdsCore(String self, List<String> nodeIds) {
        this.nodeIndex = nodeIds.indexOf(self);
        this.clusterSize = nodeIds.size();
    }

    @Override
    public void start(long now, Effects out) {
        ids.start(nodeIndex, clusterSize, now);
    }

    @Override
    public void receive(Message message, long now, Effects out) {
        if (!"generate".equals(message.type())) {
            throw RpcError.notSupported("unique-ids takes generate, not " + message.type());
        }
        out.reply(message, new GenerateOk(ids.next()));
    }
}
