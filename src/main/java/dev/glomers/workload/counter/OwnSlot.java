package dev.glomers.workload.counter;

import dev.glomers.storage.HighWater;
import dev.glomers.storage.Stored;

/**
 * The owner's side of its {@link Slot}: the last value it knows for sure is in {@code seq-kv}, and
 * the batch numbers it hands out. Pure bookkeeping, no I/O: the driver reports what it saw.
 *
 * <p>The owner is the only writer of its key, and {@code seq-kv} shows each client every write that
 * client made (a successful write moves the client to the newest state; later reads never see an
 * older one). So after a write of ours, or a read of our own key, the value we saw stays the value
 * in the store until we write again: no other node changes it. The one exception is a
 * compare-and-set whose reply we lost. It may have landed, may land later, or never; until we read
 * the key again, {@link #known()} is unknown.
 *
 * <p>Stamps never repeat across restarts either: they are a {@link HighWater} reserved in blocks of
 * {@link #BLOCK}, the end of a block persisted before its first stamp leaves ({@link #needsReservation},
 * {@link #reserve}); a restart starts past the last reservation ({@link #recover}). A repeated
 * stamp could make a read of the key that shows a write of an earlier run pass for the new batch.
 */
final class OwnSlot {

    /** What a fresh read of our key says about the batch we were writing. */
    enum Outcome {
        /** The batch is in the store: acknowledge its adds. */
        LANDED,
        /** The batch is not in the store; the value read is the new base to write it on. */
        NOT_LANDED
    }

    /** Stamps reserved by one persisted high-water mark: one sync per this many batches. */
    static final long BLOCK = 4096;

    private Slot known;
    private final HighWater stamps = new HighWater(BLOCK);

    OwnSlot() {
        stamps.raiseTo(1); // batch 0 is the absent key's: never written
    }

    /** Our key's value in the store, or null while the outcome of a write is open. */
    Slot known() {
        return known;
    }

    boolean isKnown() {
        return known != null;
    }

    /** A batch number never used before: the stamp of the next write. */
    long nextBatch() {
        return stamps.next();
    }

    /** Whether the next stamp lies beyond the persisted reservation (a durable node reserves first). */
    boolean needsReservation() {
        return stamps.needsReservation();
    }

    /** Reserves the next block of stamps: the record to persist before the next stamp leaves. */
    byte[] reserve() {
        return stamps.reserve();
    }

    /** An earlier run of this node may have used every stamp below its last persisted mark: this run starts there. */
    void recover(Stored stored) {
        stamps.recover(stored);
    }

    /** The value that puts {@code delta} on top of what we know, stamped {@code batch}. */
    Slot target(long delta, long batch) {
        if (known == null) {
            throw new IllegalStateException("read the key before writing on top of it");
        }
        return known.plus(delta, batch);
    }

    /** Our compare-and-set succeeded. */
    void written(Slot value) {
        known = value;
    }

    /** A write's outcome is open (its reply was lost and we could not read the key back). */
    void forget() {
        known = null;
    }

    /**
     * After a failed compare-and-set of {@code batch} and a fresh read of our key: did it land?
     * Only one batch is in flight at a time and stamps are never reused, so the stamp answers it.
     * If it did not land, the value read is the base for the next attempt (an earlier batch whose
     * reply we lost may have landed meanwhile, which is why we do not simply retry the old base).
     */
    Outcome resolve(Slot seen, long batch) {
        known = seen;
        return seen.batch() == batch ? Outcome.LANDED : Outcome.NOT_LANDED;
    }
}
