package dev.glomers.workload.broadcast;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * An append-only log of values numbered 1, 2, 3, ... whose acknowledged prefix can be dropped.
 * Receivers acknowledge a log cumulatively ("I hold everything up to seq n"), so a sender keeps one
 * number per receiver and the log itself only holds what some receiver still lacks.
 */
final class SeqLog {

    private final ArrayDeque<Long> entries = new ArrayDeque<>();
    /** The seq of the last entry ever appended; 0 when none was. */
    private long last;

    /** Appends a value and returns its seq. */
    long append(long value) {
        entries.addLast(value);
        return ++last;
    }

    long last() {
        return last;
    }

    /** The seq of the oldest entry still held (last + 1 when none is). */
    long first() {
        return last - entries.size() + 1;
    }

    /** The values after seq {@code after} (exclusive) up to the end, oldest first. */
    List<Long> after(long after) {
        long from = Math.max(after + 1, first());
        if (from > last) {
            return List.of();
        }
        List<Long> values = new ArrayList<>((int) (last - from + 1));
        Iterator<Long> iterator = entries.iterator();
        for (long seq = first(); seq < from; seq++) {
            iterator.next();
        }
        iterator.forEachRemaining(values::add);
        return values;
    }

    /** Drops every entry up to seq {@code through}: all receivers hold them. */
    void dropThrough(long through) {
        while (!entries.isEmpty() && first() <= through) {
            entries.removeFirst();
        }
    }

    int size() {
        return entries.size();
    }
}
