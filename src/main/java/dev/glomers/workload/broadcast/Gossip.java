package dev.glomers.workload.broadcast;

import dev.glomers.node.Body;
import java.util.List;

/**
 * The one node-to-node message. It carries, for each of the sender's three logs the receiver reads,
 * the slice meant for it (values with consecutive seqs from {@code ...From}), and cumulative
 * acknowledgements of the receiver's three logs ({@code ...Ack}: held here up to that seq), so acks
 * ride on whatever goes the other way. A message with no entries is a bare acknowledgement.
 *
 * @param up  the sender's uplink log: its own clients' values, for the hub
 * @param rel the sender's relay log: values for its children in the tree
 * @param dir the sender's direct log: its values for every peer while the hub is unreachable
 */
record Gossip(long upFrom, List<Long> up, long relFrom, List<Long> rel, long dirFrom, List<Long> dir,
              long upAck, long relAck, long dirAck) implements Body {

    static final String TYPE = "gossip";

    Gossip {
        up = List.copyOf(up);
        rel = List.copyOf(rel);
        dir = List.copyOf(dir);
    }

    @Override
    public String type() {
        return TYPE;
    }

    boolean carriesEntries() {
        return !up.isEmpty() || !rel.isEmpty() || !dir.isEmpty();
    }
}
