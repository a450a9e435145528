package dev.glomers.workload.uniqueids;

import dev.glomers.storage.HighWater;
import dev.glomers.storage.Stored;

/**
 * Ids of the form {@code counter * clusterSize + nodeIndex}: two nodes never share a residue, so they
 * never share an id. The counter starts at the start-up time in milliseconds times 1024, so a node
 * that restarts does not hand out its earlier ids again unless it had issued more than 1024 ids
 * per millisecond on average since its previous start, or its clock went back. With 25 nodes the ids
 * stay below 2^56.
 *
 * <p>A durable node does not trust the clock: the counter is a {@link HighWater} reserved in blocks of
 * {@link #BLOCK}, the end of each persisted before the block's first id leaves ({@link #reserve}); a restart
 * resumes past the last one ({@link #recover}), whatever the clock says.
 */
final class IdSequence {

    static final long IDS_PER_MILLISECOND = 1024;
    /** Counters reserved by one persisted high-water mark: one sync per this many ids of a node. */
    static final long BLOCK = 1L << 16;

    private final HighWater counter = new HighWater(BLOCK);
    private int nodeIndex;
    private int clusterSize;

    /** Before {@link #start}: the marks an earlier run of this node persisted. */
    void recover(Stored stored) {
        counter.recover(stored);
    }

    void start(int nodeIndex, int clusterSize, long startMillis) {
        if (nodeIndex < 0 || nodeIndex >= clusterSize) {
            throw new IllegalArgumentException("node index " + nodeIndex + " outside a cluster of " + clusterSize);
        }
        this.nodeIndex = nodeIndex;
        this.clusterSize = clusterSize;
        counter.raiseTo(Math.multiplyExact(startMillis, IDS_PER_MILLISECOND));
    }

    /** Whether the next id lies beyond the persisted reservation (a durable node reserves first). */
    boolean needsReservation() {
        return counter.needsReservation();
    }

    /** Reserves the next block: the record to persist before the next id leaves. */
    byte[] reserve() {
        return counter.reserve();
    }

    long next() {
        if (clusterSize == 0) {
            throw new IllegalStateException("ids before init");
        }
        return Math.addExact(Math.multiplyExact(counter.next(), clusterSize), nodeIndex);
    }
}
