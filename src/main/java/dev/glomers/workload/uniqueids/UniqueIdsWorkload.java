package dev.glomers.workload.uniqueids;

import dev.glomers.node.Body;
import dev.glomers.node.Node;
import org.springframework.context.annotation.Profile;

/**
 * Part 2: ids unique across the cluster with no node-to-node message at all, so partitions cannot
 * touch availability. Each node owns one residue class modulo the cluster size (its position in
 * {@code node_ids}, which every node got in the same order) and counts up within it.
 */
@Profile("unique-ids")
public class UniqueIdsWorkload {

    record Generate() {
    }

    record GenerateOk(long id) implements Body {
        @Override
        public String type() {
            return "generate_ok";
        }
    }

    private final IdSequence ids = new IdSequence();

    public UniqueIdsWorkload(Node node) {
        node.onInit(() -> ids.start(node.nodeIds().indexOf(node.id()), node.nodeIds().size(), node.now()));
        node.handle("generate", Generate.class, (request, body) -> node.reply(request, new GenerateOk(ids.next())));
    }
}
