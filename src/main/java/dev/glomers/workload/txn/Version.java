package dev.glomers.workload.txn;

/**
 * The version a committed transaction gives every key it writes: a Lamport clock reading, ties broken
 * by the id of the node that committed it. Every node compares versions the same way, so concurrent
 * writes to a key end in the same winner everywhere (last writer wins), whatever order they arrive in.
 */
public record Version(long clock, String node) implements Comparable<Version> {

    @Override
    public int compareTo(Version other) {
        int byClock = Long.compare(clock, other.clock);
        return byClock != 0 ? byClock : node.compareTo(other.node);
    }

    public boolean isAfter(Version other) {
        return compareTo(other) > 0;
    }
}
