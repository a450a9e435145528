package dev.glomers.delivery;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What one node puts on a message to one peer: for each of its logs the slice meant for that peer
 * ({@code slices.get(log)}), and for each of the peer's logs how far this node holds it without a gap
 * ({@code acks.get(log)}, a cumulative acknowledgement). A parcel without entries is a bare
 * acknowledgement. Workloads map it onto their own wire bodies (broadcast's {@code gossip}, ...).
 *
 * <p>Across restarts (all zero on nodes without a data directory, which never restart):
 *
 * @param incarnation     the sender's incarnation: its seqs are numbered within it (a restarted node numbers from 1)
 * @param peerIncarnation the receiver's incarnation as the sender knows it: {@code acks} count only if it is the
 *                        receiver's current one (they are seqs of its logs in that incarnation)
 * @param floors          per log of the sender, what the receiver acknowledged in any incarnation: a receiver that
 *                        restarted takes it as held (its core kept what it acknowledged); empty unless the
 *                        sender saw the receiver restart and has not seen it catch up to them yet
 */
public record Parcel<T>(List<Slice<T>> slices, List<Long> acks,
                        @JsonInclude(JsonInclude.Include.NON_DEFAULT) long incarnation,
                        @JsonInclude(JsonInclude.Include.NON_DEFAULT) long peerIncarnation,
                        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Long> floors) {

    public Parcel {
        slices = slices == null ? List.of() : List.copyOf(slices);
        acks = acks == null ? List.of() : List.copyOf(acks);
        floors = floors == null ? List.of() : List.copyOf(floors);
    }

    /** A parcel between nodes that never restart (incarnation 0). */
    public Parcel(List<Slice<T>> slices, List<Long> acks) {
        this(slices, acks, 0, 0, List.of());
    }

    public Slice<T> slice(int log) {
        return slices.get(log);
    }

    public long ack(int log) {
        return log < acks.size() ? acks.get(log) : 0;
    }

    /** What the receiver is known to hold of {@code log} (0: nothing said). */
    public long floor(int log) {
        return log < floors.size() ? floors.get(log) : 0;
    }

    @JsonIgnore
    public boolean carriesEntries() {
        return slices.stream().anyMatch(slice -> !slice.isEmpty());
    }
}
