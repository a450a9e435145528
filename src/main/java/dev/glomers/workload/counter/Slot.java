package dev.glomers.workload.counter;

/**
 * What one node's key in {@code seq-kv} holds: that node's running total, stamped with the number
 * of the batch of adds that produced it. Batch numbers only grow and are never reused, so every
 * value a node ever writes is distinct: a compare-and-set from a value can succeed at most once,
 * and reading the key tells whether a given batch landed (the stamp is that batch's number).
 */
record Slot(long count, long batch) {

    /** The key before its owner ever wrote it. Batch 0 is never written, so this value never exists in the store. */
    static final Slot ABSENT = new Slot(0, 0);

    Slot plus(long delta, long newBatch) {
        return new Slot(Math.addExact(count, delta), newBatch);
    }

    boolean absent() {
        return batch == 0;
    }
}
