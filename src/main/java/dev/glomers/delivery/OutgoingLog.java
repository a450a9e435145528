package dev.glomers.delivery;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** One of a node's own logs in {@link Delivery}: entries still held for some reader, numbered {@link #first()} to {@link #last}. */
final class OutgoingLog<T> {

    final Set<String> readers;
    final ArrayDeque<T> entries = new ArrayDeque<>();
    long last;

    OutgoingLog(Collection<String> readers) {
        this.readers = Set.copyOf(readers);
    }

    long first() {
        return last - entries.size() + 1;
    }

    /** At most {@code max} entries after seq {@code after}. */
    List<T> after(long after, int max) {
        long from = Math.max(after + 1, first());
        List<T> slice = new ArrayList<>((int) Math.min(max, Math.max(0, last - from + 1)));
        Iterator<T> iterator = entries.iterator();
        for (long seq = first(); iterator.hasNext() && slice.size() < max; seq++) {
            T entry = iterator.next();
            if (seq >= from) {
                slice.add(entry);
            }
        }
        return slice;
    }

    void dropThrough(long seq) {
        while (!entries.isEmpty() && first() <= seq) {
            entries.removeFirst();
        }
    }
}
