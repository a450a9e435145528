package dev.glomers.storage;

import java.nio.ByteBuffer;

/**
 * A counter whose values are never handed out twice, across restarts too, for one sync per block of values
 * rather than one per value: before the first value of a block leaves the node, the end of the block (the
 * high-water mark) is persisted; a restart resumes at the highest mark an earlier run persisted, above every
 * value that run could have used, whatever the clock did. Used by unique-ids (its id counter) and g-counter
 * (its batch stamps). Pure bookkeeping: the core persists what {@link #reserve} returns (as a snapshot: the
 * last mark is all a restart needs) and so holds the value behind its sync (persist before send).
 */
public final class HighWater {

    private final long block;
    private long next;
    /** Values below this are covered by a persisted mark. */
    private long reservedUpTo;

    /** @param block how many values one persisted mark covers */
    public HighWater(long block) {
        if (block < 1) {
            throw new IllegalArgumentException("a block holds at least one value: " + block);
        }
        this.block = block;
    }

    /** What a restart found: the marks an earlier run persisted ({@link #reserve}'s records). */
    public void recover(Stored stored) {
        if (stored.snapshot() != null) {
            raiseTo(decode(stored.snapshot()));
        }
        stored.records().forEach(record -> raiseTo(decode(record)));
    }

    /** No value below {@code floor} is handed out from now on (a floor below the next value changes nothing). */
    public void raiseTo(long floor) {
        next = Math.max(next, floor);
    }

    /** Whether the next value lies beyond the persisted mark: a durable node {@link #reserve}s first. */
    public boolean needsReservation() {
        return next >= reservedUpTo;
    }

    /** Reserves the block that starts at the next value; the record returned must be synced before that value leaves. */
    public byte[] reserve() {
        reservedUpTo = Math.addExact(next, block);
        return ByteBuffer.allocate(Long.BYTES).putLong(reservedUpTo).array();
    }

    /** The next value, never handed out before. */
    public long next() {
        long value = next;
        next = Math.addExact(next, 1);
        return value;
    }

    private static long decode(byte[] record) {
        if (record.length != Long.BYTES) {
            throw new StorageException("a high-water mark is " + Long.BYTES + " bytes, not " + record.length);
        }
        return ByteBuffer.wrap(record).getLong();
    }
}
