package dev.glomers.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The replicated log, as the paper numbers it: index 1 is the first entry, index 0 the empty prefix of
 * term 0. Only appends, truncation of a suffix and compaction of a prefix change it; everything else is
 * lookup. After compaction a snapshot stands for the entries up to {@link #baseIndex()} (section 7): their
 * index and term of the last one are all the log still knows of them, and no lookup may go below it.
 */
final class RaftLog<C> {

    private final List<Entry<C>> entries = new ArrayList<>();
    /** The last index the snapshot covers (0: none), and its term. */
    private long baseIndex;
    private long baseTerm;

    long baseIndex() {
        return baseIndex;
    }

    long baseTerm() {
        return baseTerm;
    }

    long lastIndex() {
        return baseIndex + entries.size();
    }

    long lastTerm() {
        return termAt(lastIndex());
    }

    long termAt(long index) {
        if (index == baseIndex) {
            return baseTerm;
        }
        return entryAt(index).term();
    }

    Entry<C> entryAt(long index) {
        if (index <= baseIndex) {
            throw new IllegalArgumentException("index " + index + " is compacted (snapshot base " + baseIndex + ")");
        }
        return entries.get((int) (index - baseIndex - 1));
    }

    void append(Entry<C> entry) {
        entries.add(entry);
    }

    /** Drops {@code index} and everything after it (a follower's conflicting suffix); never the snapshot's part. */
    void truncateFrom(long index) {
        if (index <= baseIndex) {
            throw new IllegalArgumentException("cannot truncate at " + index + ": committed under the snapshot base " + baseIndex);
        }
        if (index <= lastIndex()) {
            entries.subList((int) (index - baseIndex - 1), entries.size()).clear();
        }
    }

    /** The entries from {@code from} to {@code to}, both included (none under the base). */
    List<Entry<C>> slice(long from, long to) {
        if (from <= baseIndex) {
            throw new IllegalArgumentException("index " + from + " is compacted (snapshot base " + baseIndex + ")");
        }
        return List.copyOf(entries.subList((int) (from - baseIndex - 1), (int) (to - baseIndex)));
    }

    /**
     * A snapshot now covers everything up to {@code index}, whose term is {@code term}: the entries up to it go.
     * When the log has no entry of that index and term (a follower given a leader's snapshot), every entry
     * goes: none of them is known to follow the snapshot (the paper's Figure 13, steps 6 and 7).
     */
    void compactTo(long index, long term) {
        if (index <= baseIndex) {
            return;
        }
        if (index <= lastIndex() && termAt(index) == term) {
            entries.subList(0, (int) (index - baseIndex)).clear();
        } else {
            entries.clear();
        }
        baseIndex = index;
        baseTerm = term;
    }

    /** Whether a log ending at ({@code lastIndex}, {@code lastTerm}) is at least as up to date as this one (section 5.4.1). */
    boolean isCoveredBy(long lastIndex, long lastTerm) {
        return lastTerm > lastTerm() || (lastTerm == lastTerm() && lastIndex >= lastIndex());
    }

    /**
     * The first index of the run of entries of {@code termAt(index)} that ends at {@code index}: the conflict
     * hint. It stops just above the snapshot base, the oldest entry the log still holds.
     */
    long firstIndexOfTermAt(long index) {
        long term = termAt(index);
        long first = index;
        while (first > baseIndex + 1 && termAt(first - 1) == term) {
            first--;
        }
        return first;
    }

    /**
     * Where a leader resends from after a failed consistency check (the fast back-off of section 5.3): past
     * its own last entry of the follower's conflicting term if it has that term, else the follower's first
     * index of it (or the follower's log end when the follower's log was short). An answer at or under the
     * snapshot base means the follower gets the snapshot.
     */
    long nextAfterConflict(long conflictTerm, long conflictIndex) {
        if (conflictTerm > 0) {
            for (long i = lastIndex(); i > baseIndex; i--) {
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

    /** The entries after the snapshot base, oldest first. */
    List<Entry<C>> entries() {
        return List.copyOf(entries);
    }
}
