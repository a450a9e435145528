package dev.glomers.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Which node of which cluster a data directory belongs to: written at first start, checked at every
 * start after, so a node never recovers another node's (or another cluster's) state.
 */
final class NodeIdentity {

    static final String FILE = "identity";

    private NodeIdentity() {
    }

    /** Whether the directory held this node's state already (true) or was new and is now this node's (false); refuses any other directory. */
    static boolean claim(Disk disk, String nodeId, List<String> nodeIds) {
        try {
            String ours = nodeId + "\n" + String.join(",", nodeIds);
            List<String> names = disk.list();
            if (!names.contains(FILE)) {
                if (names.stream().anyMatch(name -> name.startsWith(DurableLog.SEGMENT) || name.startsWith(DurableLog.SNAPSHOT))) {
                    throw new StorageException("data directory " + disk.describe("") + " holds a log but no identity file; refusing to start");
                }
                disk.replaceAtomically(FILE, Frames.frame(ours.getBytes(StandardCharsets.UTF_8)));
                return false;
            }
            String found = new String(Frames.single(disk.read(FILE), disk.describe(FILE)), StandardCharsets.UTF_8);
            if (!found.equals(ours)) {
                String[] parts = found.split("\n", 2);
                throw new StorageException("data directory " + disk.describe("") + " belongs to node " + parts[0] + " of cluster ["
                        + (parts.length > 1 ? parts[1] : "") + "], not to node " + nodeId + " of cluster [" + String.join(",", nodeIds)
                        + "]; refusing to start");
            }
            return true;
        } catch (IOException e) {
            throw new StorageException("cannot read the data directory: " + e.getMessage(), e);
        }
    }
}
