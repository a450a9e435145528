package dev.glomers.workload.kafka;

import java.util.HashMap;
import java.util.Map;

/**
 * Committed offsets as max-registers: this node's acknowledged commits, and the last value it knows
 * of the shared document in {@code lin-kv} (key to offset, merged by maximum). A flush writes
 * {@link #merged()} with a compare-and-set from {@link #stored()}; since merging by maximum is
 * idempotent and commutative, retrying a flush after any failure is always safe, and no offset in
 * the document ever goes down.
 *
 * <p>Pure state: the workload does the I/O and tells this class what it learned.
 */
final class CommittedOffsets {

    private final Map<String, Long> acknowledged = new HashMap<>();
    /** The document as last seen in lin-kv; null while unknown (never read, or a write failed). */
    private Map<String, Long> stored;
    private boolean storedExists;

    /** Records a client's commit; offsets only ever move up. */
    void commit(Map<String, Long> offsets) {
        offsets.forEach((key, offset) -> {
            if (key != null && offset != null) {
                acknowledged.merge(key, offset, Math::max);
            }
        });
    }

    /** Every commit this node acknowledged, highest offset per key. */
    Map<String, Long> acknowledged() {
        return Map.copyOf(acknowledged);
    }

    /** Whether the document might lack a commit this node acknowledged. */
    boolean needsFlush() {
        if (stored == null) {
            return !acknowledged.isEmpty();
        }
        return acknowledged.entrySet().stream()
                .anyMatch(commit -> commit.getValue() > stored.getOrDefault(commit.getKey(), Long.MIN_VALUE));
    }

    boolean knowsStored() {
        return stored != null;
    }

    /** Whether the document exists in lin-kv (meaningful only when {@link #knowsStored()}). */
    boolean storedExists() {
        return storedExists;
    }

    /** The document as last seen; empty when it does not exist yet. */
    Map<String, Long> stored() {
        return stored == null ? Map.of() : Map.copyOf(stored);
    }

    /** What the document should hold: the stored one with this node's commits merged in. */
    Map<String, Long> merged() {
        Map<String, Long> merged = new HashMap<>(stored == null ? Map.of() : stored);
        acknowledged.forEach((key, offset) -> merged.merge(key, offset, Math::max));
        return merged;
    }

    /** The document as read or written in lin-kv; null when the key does not exist. */
    void learned(Map<String, Long> document) {
        storedExists = document != null;
        stored = document == null ? new HashMap<>() : new HashMap<>(document);
    }

    /** A compare-and-set failed or timed out: the document must be read again. */
    void forget() {
        stored = null;
        storedExists = false;
    }
}
