package dev.glomers.workload.broadcast;

import dev.glomers.node.Body;
import java.util.List;

/**
 * The one node-to-node message. It carries a slice of each of the sender's two logs meant for the
 * receiver, and cumulative acknowledgements of the receiver's two logs, so acks ride on whatever
 * goes the other way. A message with no entries is a bare acknowledgement.
 *
 * @param upFrom seq of the first value in {@code up} (the sender's uplink log: its own clients' values for its hub)
 * @param up     uplink values, consecutive seqs from {@code upFrom}
 * @param relFrom seq of the first value in {@code rel} (the sender's relay log: values it fans out to everyone)
 * @param rel    relay values, consecutive seqs from {@code relFrom}
 * @param upAck  the receiver's uplink log is held here up to this seq
 * @param relAck the receiver's relay log is held here up to this seq
 */
record Gossip(long upFrom, List<Long> up, long relFrom, List<Long> rel, long upAck, long relAck) implements Body {

    static final String TYPE = "gossip";

    Gossip {
        up = List.copyOf(up);
        rel = List.copyOf(rel);
    }

    @Override
    public String type() {
        return TYPE;
    }

    boolean carriesEntries() {
        return !up.isEmpty() || !rel.isEmpty();
    }
}
