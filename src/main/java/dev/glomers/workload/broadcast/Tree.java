package dev.glomers.workload.broadcast;

import java.util.ArrayList;
import java.util.List;

/**
 * The dissemination tree every node derives alike from {@code node_ids}: the first node is the root,
 * the <em>hub</em>; node i has the children fanOut * i + 1 .. fanOut * i + fanOut. Fan-out 0 means no
 * limit: a star, whose hub's children are all other nodes.
 *
 * @param parent   the node whose relay log this one reads; null for the hub
 * @param children the nodes this one relays to
 */
record Tree(String hub, String parent, List<String> children) {

    static Tree of(String self, List<String> nodeIds, int fanOut) {
        int index = nodeIds.indexOf(self);
        if (index < 0) {
            throw new IllegalArgumentException(self + " is not one of " + nodeIds);
        }
        if (fanOut < 0) {
            throw new IllegalArgumentException("fan-out must be 0 (no limit) or positive: " + fanOut);
        }
        int width = fanOut == 0 ? Math.max(1, nodeIds.size() - 1) : fanOut;
        String parent = index == 0 ? null : nodeIds.get((index - 1) / width);
        List<String> children = new ArrayList<>();
        for (int child = width * index + 1; child <= width * index + width && child < nodeIds.size(); child++) {
            children.add(nodeIds.get(child));
        }
        return new Tree(nodeIds.get(0), parent, List.copyOf(children));
    }
}
