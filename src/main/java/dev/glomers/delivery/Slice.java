package dev.glomers.delivery;

import java.util.List;

/**
 * A run of one log: {@code entries} carry the seqs {@code from}, {@code from + 1}, ... An empty slice
 * carries nothing (its {@code from} is then the seq the next entry will get, or any value).
 */
public record Slice<T>(long from, List<T> entries) {

    public Slice {
        entries = List.copyOf(entries);
    }

    public static <T> Slice<T> empty(long from) {
        return new Slice<>(from, List.of());
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }
}
