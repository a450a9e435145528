package dev.glomers.workload.uniqueids;

import dev.glomers.node.Body;
import dev.glomers.node.Core;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.storage.Stored;
import java.util.List;

/**
 * Ids unique across the cluster with no node-to-node message at all, so partitions cannot touch
 * availability: an {@link IdSequence} in this node's residue class (its position in {@code node_ids},
 * which every node got in the same order), started from the time the core is started with.
 *
 * <p>With a data directory, ids never repeat across restarts whatever the clock did: before the first id
 * of each block of {@link IdSequence#BLOCK} counters the core persists the block's end (as a snapshot: the
 * last one is all a restart needs), so that id waits for one sync and the rest of the block for none.
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
    public void recover(Stored stored) {
        ids.recover(stored);
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
        if (out.durable() && ids.needsReservation()) {
            out.snapshot(ids.reserve());
        }
        out.reply(message, new GenerateOk(ids.next()));
    }
}
