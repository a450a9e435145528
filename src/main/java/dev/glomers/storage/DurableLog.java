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
 */
public final class DurableLog {

    static final String SNAPSHOT = "snapshot-";
    static final String SEGMENT = "segment-";

    private final Disk disk;
    private final ByteArrayOutputStream buffered = new ByteArrayOutputStream();
    private long nextIndex;
    private String segment;
    private boolean segmentIsNew;
    private boolean unsynced;
    private long syncs;

    private DurableLog(Disk disk, long nextIndex, String segment, boolean segmentIsNew) {
        this.disk = disk;
        this.nextIndex = nextIndex;
        this.segment = segment;
        this.segmentIsNew = segmentIsNew;
    }

    /** What {@link #open} found, and the log to go on with. */
    public record Recovered(DurableLog log, Stored stored) {
    }

    /**
     * Recovers the newest snapshot and the records after it; drops and truncates away a torn tail of the
     * last segment; refuses corruption anywhere else with a {@link StorageException} naming file and offset.
     */
    public static Recovered open(Disk disk) {
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
            }
            DurableLog log = segments.isEmpty()
                    ? new DurableLog(disk, covered, SEGMENT + pad(covered), true)
                    // true: the first sync also makes the directory entry of a segment found on disk durable
                    : new DurableLog(disk, expected, SEGMENT + pad(segments.get(segments.size() - 1)), true);
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
            unsynced = false;
            deleteCovered(nextIndex);
        } catch (IOException e) {
            throw new UncheckedIOException("snapshot failed", e);
        }
    }

    /** Hands every appended record to the disk, in one write, not yet durable. */
    public void write() {
        if (buffered.size() == 0) {
            return;
        }
        try {
            disk.append(segment, buffered.toByteArray());
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
