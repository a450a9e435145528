package dev.glomers.workload.kafka;

import java.util.List;

/**
 * Which node owns a key: a pure function of the key and the cluster's node list, which every node
 * got in the same order with {@code init}, so all nodes agree without talking. The owner alone
 * assigns offsets for its keys and holds the authoritative log.
 */
final class Ownership {

    private Ownership() {
    }

    static String owner(String key, List<String> nodeIds) {
        if (nodeIds.isEmpty()) {
            throw new IllegalStateException("no nodes yet");
        }
        return nodeIds.get(Math.floorMod(spread(key.hashCode()), nodeIds.size()));
    }

    /** String hashes of "1", "2", ... are consecutive; mix the bits so similar keys spread evenly. */
    private static int spread(int hash) {
        int h = hash * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
