package dev.glomers.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The replicated log, as the paper numbers it: index 1 is the first entry, index 0 the empty prefix of
 * term 0. Only appends and truncation of a suffix change it; everything else is lookup.
 */
final class RaftLog<C> {

    private final List<Entry<C>> entries = new ArrayList<>();

    long lastIndex() {
        return entries.size();
    }

    long lastTerm() {
        return termAt(lastIndex());
    }

    long termAt(long index) {
        return index == 0 ? 0 : entries.get((int) index - 1).term();
    }

    Entry<C> entryAt(long index) {
        return entries.get((int) index - 1);
    }

    void append(Entry<C> entry) {
        entries.add(entry);
    }

    /** Drops {@code index} and everything after it (a follower's conflicting suffix). */
    void truncateFrom(long index) {
        if (index <= lastIndex()) {
            entries.subList((int) index - 1, entries.size()).clear();
        }
    }

    /** The entries from {@code from} to {@code to}, both included. */
    List<Entry<C>> slice(long from, long to) {
        return List.copyOf(entries.subList((int) from - 1, (int) to));
    }

    /** Whether a log ending at ({@code lastIndex}, {@code lastTerm}) is at least as up to date as this one (section 5.4.1). */
    boolean isCoveredBy(long lastIndex, long lastTerm) {
        return lastTerm > lastTerm() || (lastTerm == lastTerm() && lastIndex >= lastIndex());
    }

    /** The first index of the run of entries of {@code termAt(index)} that ends at {@code index}: the conflict hint. */
    long firstIndexOfTermAt(long index) {
        long term = termAt(index);
        long first = index;
        while (first > 1 && termAt(first - 1) == term) {
            first--;
        }
        return first;
    }

    /**
     * Where a leader resends from after a failed consistency check (the fast back-off of section 5.3): past
     * its own last entry of the follower's conflicting term if it has that term, else the follower's first
     * index of it (or the follower's log end when the follower's log was short).
     */
    long nextAfterConflict(long conflictTerm, long conflictIndex) {
        if (conflictTerm > 0) {
            for (long i = lastIndex(); i >= 1; i--) {
                long t = termAt(i);
                if (t == conflictTerm) {
                    return i + 1;
                }
                if (t < conflictTerm) {
                    break;
                }
            }
        }
        return Math.max(1, conflictIndex);
    }

    List<Entry<C>> entries() {
        return List.copyOf(entries);
    }
}
