package dev.glomers.workload.broadcast;

import dev.glomers.delivery.Parcel;
import dev.glomers.delivery.Slice;
import dev.glomers.node.Body;
import java.util.List;

/**
 * The one node-to-node message: a delivery {@link Parcel} of broadcast's three logs on the wire. It
 * carries, for each of the sender's logs the receiver reads, the slice meant for it (values with
 * consecutive seqs from {@code ...From}), and cumulative acknowledgements of the receiver's three logs
 * ({@code ...Ack}: held here up to that seq). A message with no entries is a bare acknowledgement.
 *
 * @param up  the sender's uplink log ({@link BroadcastCore#UPLINK}): its own clients' values, for the hub
 * @param rel the sender's relay log ({@link BroadcastCore#RELAY}): values for its children in the tree
 * @param dir the sender's direct log ({@link BroadcastCore#DIRECT}): its values for every peer while the hub is unreachable
 * @param inc   the sender's incarnation (0 on nodes without a data directory, which never restart)
 * @param to    the receiver's incarnation the acknowledgements are of
 * @param floor per log of the sender, what the receiver acknowledged before it restarted (empty unless it did)
 */
record Gossip(long upFrom, List<Long> up, long relFrom, List<Long> rel, long dirFrom, List<Long> dir,
              long upAck, long relAck, long dirAck, long inc, long to, List<Long> floor) implements Body {

    static final String TYPE = "gossip";

    Gossip {
        up = up == null ? List.of() : List.copyOf(up);
        rel = rel == null ? List.of() : List.copyOf(rel);
        dir = dir == null ? List.of() : List.copyOf(dir);
        floor = floor == null ? List.of() : List.copyOf(floor);
    }

    static Gossip of(Parcel<Long> parcel) {
        Slice<Long> up = parcel.slice(BroadcastCore.UPLINK);
        Slice<Long> rel = parcel.slice(BroadcastCore.RELAY);
        Slice<Long> dir = parcel.slice(BroadcastCore.DIRECT);
        return new Gossip(up.from(), up.entries(), rel.from(), rel.entries(), dir.from(), dir.entries(),
                parcel.ack(BroadcastCore.UPLINK), parcel.ack(BroadcastCore.RELAY), parcel.ack(BroadcastCore.DIRECT),
                parcel.incarnation(), parcel.peerIncarnation(), parcel.floors());
    }

    Parcel<Long> parcel() {
        return new Parcel<>(
                List.of(new Slice<>(upFrom, up), new Slice<>(relFrom, rel), new Slice<>(dirFrom, dir)),
                List.of(upAck, relAck, dirAck), inc, to, floor);
    }

    @Override
    public String type() {
        return TYPE;
    }
}
