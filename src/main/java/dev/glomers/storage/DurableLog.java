package dev.glomers.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The append-only log of one data directory: checksummed records ({@link Frames}) in segment files, and
 * snapshots that cover every record before them.
 *
 * <p>Names carry sequence numbers: {@code snapshot-N} covers records 0..N-1, and {@code segment-N} holds
 * records from N on. A snapshot is written atomically (durable before anything after it), then the records
 * after it go to the new segment {@code segment-N}; older snapshots and segments are deleted without waiting
 * for that to be durable, since recovery ignores whatever the newest snapshot covers.
 *
 * <p>Writes are buffered until {@link #write}, which hands them to the disk in one piece, and {@link #sync}
 * makes them durable (one fsync for all of them: group commit). Single-threaded.
 *
 * <p>With a preallocation (production), a segment is extended by that many zeros ahead of its records, and
 * records overwrite those zeros: a sync then leaves the file's size alone, so an fdatasync flushes the data
 * and not the inode as well (one device write fewer per sync; measured on ext4 here: 0.040 instead of 0.064 ms
 * of CPU). Zeros after the last frame are no record ({@link Frames#parse}).
 */
public final class DurableLog {

    static final String SNAPSHOT = "snapshot-";
    static final String SEGMENT = "segment-";

    /** Zeros a production segment is extended by at a time: a sync that grows the file comes once per MiB. */
    public static final int PREALLOCATION = 1 << 20;

    private final Disk disk;
    private final int preallocation;
    private final ByteArrayOutputStream buffered = new ByteArrayOutputStream();
    private long nextIndex;
    private String segment;
    private boolean segmentIsNew;
    /** Where the next write goes in the segment, and its length (past writeAt: zeros written ahead). */
    private long writeAt;
    private long allocated;
    private boolean unsynced;
    private long syncs;

    private DurableLog(Disk disk, int preallocation, long nextIndex, String segment, boolean segmentIsNew, long length) {
        this.disk = disk;
        this.preallocation = preallocation;
        this.nextIndex = nextIndex;
        this.segment = segment;
        this.segmentIsNew = segmentIsNew;
        this.writeAt = length;
        this.allocated = length;
    }

    /** What {@link #open} found, and the log to go on with. */
    public record Recovered(DurableLog log, Stored stored) {
    }

    /** {@link #open(Disk, int)} with segments that grow with their records, no zeros ahead. */
    public static Recovered open(Disk disk) {
        return open(disk, 0);
    }

    /**
     * Recovers the newest snapshot and the records after it; drops and truncates away a torn tail of the
     * last segment (and the zeros written ahead); refuses corruption anywhere else with a
     * {@link StorageException} naming file and offset. Segments are then extended {@code preallocation}
     * zeros at a time (0: none).
     */
    public static Recovered open(Disk disk, int preallocation) {
        try {
            List<String> names = disk.list();
            for (String name : names) {
                if (name.endsWith(".tmp")) {
                    disk.delete(name); // an atomic replace that never finished
                }
            }
            Optional<Long> newestSnapshot = indexes(names, SNAPSHOT).stream().max(Comparator.naturalOrder());
            long covered = newestSnapshot.orElse(0L);
            byte[] snapshot = newestSnapshot.isPresent()
                    ? Frames.single(disk.read(SNAPSHOT + pad(covered)), disk.describe(SNAPSHOT + pad(covered)))
                    : null;
            List<Long> segments = indexes(names, SEGMENT).stream().filter(start -> start >= covered).sorted().toList();
            List<byte[]> records = new ArrayList<>();
            long expected = covered;
            long lastLength = 0;
            for (int i = 0; i < segments.size(); i++) {
                String name = SEGMENT + pad(segments.get(i));
                if (segments.get(i) != expected) {
                    throw Frames.corrupt(disk.describe(name), 0, "records " + expected + " to " + (segments.get(i) - 1) + " are missing before it");
                }
                boolean last = i == segments.size() - 1;
                byte[] bytes = disk.read(name);
                Frames.Parsed parsed = Frames.parse(bytes, last, disk.describe(name));
                if (parsed.validLength() < bytes.length) {
                    disk.truncate(name, parsed.validLength());
                    disk.sync(name);
                }
                records.addAll(parsed.payloads());
                expected += parsed.payloads().size();
                lastLength = parsed.validLength();
            }
            DurableLog log = segments.isEmpty()
                    ? new DurableLog(disk, preallocation, covered, SEGMENT + pad(covered), true, 0)
                    // true: the first sync also makes the directory entry of a segment found on disk durable
                    : new DurableLog(disk, preallocation, expected, SEGMENT + pad(segments.get(segments.size() - 1)), true,
                            lastLength);
            log.deleteCovered(covered);
            return new Recovered(log, new Stored(snapshot, records));
        } catch (IOException e) {
            throw new StorageException("cannot read the data directory: " + e.getMessage(), e);
        }
    }

    /** Adds a record after every one before it; held in memory until {@link #write}. */
    public void append(byte[] record) {
        buffered.writeBytes(Frames.frame(record));
        nextIndex++;
    }

    /**
     * Replaces everything appended so far by {@code state}: written atomically and durable on return; the
     * records after it start a new segment, and what it covers is deleted.
     */
    public void snapshot(byte[] state) {
        buffered.reset(); // records the snapshot covers need not reach the disk at all
        try {
            disk.replaceAtomically(SNAPSHOT + pad(nextIndex), Frames.frame(state));
            segment = SEGMENT + pad(nextIndex);
            segmentIsNew = true;
            writeAt = 0;
            allocated = 0;
            unsynced = false;
            deleteCovered(nextIndex);
        } catch (IOException e) {
            throw new UncheckedIOException("snapshot failed", e);
        }
    }

    /**
     * Hands every appended record to the disk, in one write, not yet durable. With a preallocation, the
     * records overwrite zeros written ahead; when they do not fit, the segment first grows by the
     * preallocation past them (that write of zeros and its sync are the only ones that change the file's size).
     */
    public void write() {
        if (buffered.size() == 0) {
            return;
        }
        try {
            byte[] records = buffered.toByteArray();
            if (preallocation == 0) {
                disk.append(segment, records);
            } else {
                if (writeAt + records.length > allocated) {
                    int zeros = (int) (writeAt + records.length + preallocation - allocated);
                    disk.append(segment, new byte[zeros]);
                    allocated += zeros;
                }
                disk.write(segment, writeAt, records);
            }
            writeAt += records.length;
            buffered.reset();
            unsynced = true;
        } catch (IOException e) {
            throw new UncheckedIOException("write to " + disk.describe(segment) + " failed", e);
        }
    }

    /** Makes everything written durable: one fsync of the segment (and of the directory when the segment is new). */
    public void sync() {
        if (!unsynced) {
            return;
        }
        try {
            disk.sync(segment);
            syncs++;
            if (segmentIsNew) {
                disk.syncDirectory();
                segmentIsNew = false;
            }
            unsynced = false;
        } catch (IOException e) {
            throw new UncheckedIOException("sync of " + disk.describe(segment) + " failed", e);
        }
    }

    /** Segment fsyncs so far (tests count group commit with it). */
    public long syncs() {
        return syncs;
    }

    public void close() {
        disk.close();
    }

    private void deleteCovered(long covered) throws IOException {
        for (String name : disk.list()) {
            Long index = indexOf(name, SNAPSHOT);
            boolean oldSnapshot = index != null && index < covered;
            Long start = indexOf(name, SEGMENT);
            boolean coveredSegment = start != null && start < covered;
            if (oldSnapshot || coveredSegment) {
                disk.delete(name);
            }
        }
    }

    private static List<Long> indexes(List<String> names, String prefix) {
        List<Long> found = new ArrayList<>();
        for (String name : names) {
            Long index = indexOf(name, prefix);
            if (index != null) {
                found.add(index);
            }
        }
        return found;
    }

    private static Long indexOf(String name, String prefix) {
        if (!name.startsWith(prefix) || name.length() != prefix.length() + 20) {
            return null;
        }
        try {
            return Long.parseLong(name.substring(prefix.length()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static String pad(long index) {
        return String.format(java.util.Locale.ROOT, "%020d", index);
    }
}
