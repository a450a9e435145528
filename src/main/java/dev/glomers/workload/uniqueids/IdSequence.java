package dev.glomers.workload.uniqueids;

/**
 * Ids of the form {@code counter * clusterSize + nodeIndex}: two nodes never share a residue, so they
 * never share an id. The counter starts at the start-up time in milliseconds times 1024, so a node
 * that restarts does not hand out its earlier ids again unless it had issued more than 1024 ids
 * per millisecond on average since its previous start. With 25 nodes the ids stay below 2^56.
 */
final class IdSequence {

    static final long IDS_PER_MILLISECOND = 1024;

    private long counter;
    private int nodeIndex;
    private int clusterSize;

    void start(int nodeIndex, int clusterSize, long startMillis) {
        if (nodeIndex < 0 || nodeIndex >= clusterSize) {
            throw new IllegalArgumentException("node index " + nodeIndex + " outside a cluster of " + clusterSize);
        }
        this.nodeIndex = nodeIndex;
        this.clusterSize = clusterSize;
        this.counter = startMillis * IDS_PER_MILLISECOND;
    }

    long next() {
        if (clusterSize == 0) {
            throw new IllegalStateException("ids before init");
        }
        return Math.addExact(Math.multiplyExact(counter++, clusterSize), nodeIndex);
    }
}
