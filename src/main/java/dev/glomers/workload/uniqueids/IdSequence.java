package dev.glomers.workload.uniqueids;

/**
 * Ids of the form {@code counter * clusterSize + nodeIndex}: two nodes never share a residue, so they
 * never share an id. The counter starts at the start-up time in milliseconds times 1024, so a node
 * that restarts does not hand out its earlier ids again unless it had issued more than 1024 ids
 * per millisecond on average since its previous start, or its clock went back. With 25 nodes the ids
 * stay below 2^56.
 *
 * <p>A durable node does not trust the clock: it reserves counters in blocks ({@link #reserve}) and
 * persists the end of each block before it hands out the block's first id; a restart then starts past
 * the last reservation ({@link #start}'s {@code reservedBefore}), whatever the clock says.
 */
final class IdSequence {

    static final long IDS_PER_MILLISECOND = 1024;
    /** Counters reserved by one persisted high-water mark: one sync per this many ids of a node. */
    static final long BLOCK = 1L << 16;

    private long counter;
    /** Counters below this are covered by a persisted reservation (durable nodes only). */
    private long reservedUpTo;
    private int nodeIndex;
    private int clusterSize;

    void start(int nodeIndex, int clusterSize, long startMillis) {
        start(nodeIndex, clusterSize, startMillis, 0);
    }

    /**
     * @param reservedBefore the end of the last reservation an earlier run of this node persisted (0: none);
     *                       that run may have handed out any counter below it, so this one starts there at least
     */
    void start(int nodeIndex, int clusterSize, long startMillis, long reservedBefore) {
        if (nodeIndex < 0 || nodeIndex >= clusterSize) {
            throw new IllegalArgumentException("node index " + nodeIndex + " outside a cluster of " + clusterSize);
        }
        this.nodeIndex = nodeIndex;
        this.clusterSize = clusterSize;
        this.counter = Math.max(Math.multiplyExact(startMillis, IDS_PER_MILLISECOND), reservedBefore);
        this.reservedUpTo = counter;
    }

    /** Whether the next id lies beyond the persisted reservation (a durable node reserves first). */
    boolean needsReservation() {
        return counter >= reservedUpTo;
    }

    /** Reserves the next block: returns its end, which must be persisted before the next id leaves. */
    long reserve() {
        reservedUpTo = Math.addExact(counter, BLOCK);
        return reservedUpTo;
    }

    long next() {
        if (clusterSize == 0) {
            throw new IllegalStateException("ids before init");
        }
        return Math.addExact(Math.multiplyExact(counter++, clusterSize), nodeIndex);
    }
}
