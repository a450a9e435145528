package dev.glomers.delivery;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * A run of one log: {@code entries} carry the seqs {@code from}, {@code from + 1}, ... An empty slice
 * carries nothing (its {@code from} is then the seq the next entry will get, or any value).
 */
public record Slice<T>(long from, List<T> entries) {

    public Slice {
        entries = entries == null ? List.of() : List.copyOf(entries);
    }

    public static <T> Slice<T> empty(long from) {
        return new Slice<>(from, List.of());
    }

    @JsonIgnore // not a field on the wire when a workload puts a slice in its own body
    public boolean isEmpty() {
        return entries.isEmpty();
    }
}
