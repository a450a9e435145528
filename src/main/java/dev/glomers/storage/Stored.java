package dev.glomers.storage;

import java.util.List;

/**
 * What a node finds in its data directory when it starts again: the last snapshot it took (null when it
 * never took one) and, in order, every record it persisted after that snapshot and that was synced. A
 * torn last write is not among them; corruption before the tail stops the node instead (see
 * the storage package).
 *
 * @param snapshot the state given to the last completed snapshot, or null
 * @param records the records persisted after it, oldest first
 */
public record Stored(byte[] snapshot, List<byte[]> records) {

    public Stored {
        records = List.copyOf(records);
    }

    /** Nothing was ever synced (a data directory that is new, or whose first writes were all lost). */
    public boolean isEmpty() {
        return snapshot == null && records.isEmpty();
    }
}
