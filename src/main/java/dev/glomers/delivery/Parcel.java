package dev.glomers.delivery;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * What one node puts on a message to one peer: for each of its logs the slice meant for that peer
 * ({@code slices.get(log)}), and for each of the peer's logs how far this node holds it without a gap
 * ({@code acks.get(log)}, a cumulative acknowledgement). A parcel without entries is a bare
 * acknowledgement. Workloads map it onto their own wire bodies (broadcast's {@code gossip}, ...).
 */
public record Parcel<T>(List<Slice<T>> slices, List<Long> acks) {

    public Parcel {
        slices = slices == null ? List.of() : List.copyOf(slices);
        acks = acks == null ? List.of() : List.copyOf(acks);
    }

    public Slice<T> slice(int log) {
        return slices.get(log);
    }

    public long ack(int log) {
        return log < acks.size() ? acks.get(log) : 0;
    }

    @JsonIgnore
    public boolean carriesEntries() {
        return slices.stream().anyMatch(slice -> !slice.isEmpty());
    }
}
