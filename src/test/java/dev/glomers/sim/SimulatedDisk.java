package dev.glomers.sim;

import dev.glomers.storage.Disk;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A node's disk in the simulation, outliving the node's crashes: it keeps only what was synced. Each file
 * has its content and its synced content; the directory has its entries and its synced entries. At
 * {@link #crash} the unsynced is lost: a file created or deleted since the last directory sync may come
 * back as it was synced, and a file appended to or written over since its last sync keeps its synced bytes
 * plus, by the seed, a random prefix of what was written from the first byte written on (a torn write), as
 * FoundationDB's and TigerBeetle's simulated disks do. {@link Disk#replaceAtomically} is durable at once, as its real counterpart (rename + fsyncs).
 *
 * <p>Counts fsyncs ({@link #fileSyncs}) so tests can see group commit at work.
 */
public final class SimulatedDisk implements Disk {

    private static final class File {
        byte[] content;
        int length;
        byte[] synced;
        /** Since the last sync only appends and writes happened, no truncation: a crash may keep a prefix of them. */
        boolean onlyWrittenSinceSync = true;
        /** The lowest offset written since the last sync ({@code Integer.MAX_VALUE}: none). */
        int writtenFrom = Integer.MAX_VALUE;

        File(byte[] initial) {
            content = initial.clone();
            length = initial.length;
            synced = initial.clone();
        }

        byte[] bytes() {
            return Arrays.copyOf(content, length);
        }

        void put(int offset, byte[] bytes) {
            if (offset + bytes.length > content.length) {
                content = Arrays.copyOf(content, Math.max(offset + bytes.length, 2 * content.length));
            }
            System.arraycopy(bytes, 0, content, offset, bytes.length);
            length = Math.max(length, offset + bytes.length);
            writtenFrom = Math.min(writtenFrom, offset);
        }
    }

    private Map<String, File> entries = new HashMap<>();
    private Map<String, File> syncedEntries = new HashMap<>();
    private long fileSyncs;
    private long directorySyncs;
    private long tornWrites;

    @Override
    public List<String> list() {
        List<String> names = new ArrayList<>(entries.keySet());
        names.sort(null);
        return names;
    }

    @Override
    public byte[] read(String name) {
        File file = entries.get(name);
        if (file == null) {
            throw new IllegalArgumentException("no file " + name);
        }
        return file.bytes();
    }

    @Override
    public void append(String name, byte[] bytes) {
        File file = entries.computeIfAbsent(name, created -> new File(new byte[0]));
        file.put(file.length, bytes);
    }

    @Override
    public void write(String name, long offset, byte[] bytes) {
        File file = entries.get(name);
        if (file == null || offset < 0 || offset + bytes.length > file.length) {
            throw new IllegalArgumentException("write of " + bytes.length + " bytes at " + offset + " outside " + name
                    + (file == null ? " (no such file)" : " of " + file.length + " bytes"));
        }
        file.put((int) offset, bytes);
    }

    @Override
    public void sync(String name) {
        File file = entries.get(name);
        if (file != null) {
            file.synced = file.bytes();
            file.onlyWrittenSinceSync = true;
            file.writtenFrom = Integer.MAX_VALUE;
            fileSyncs++;
        }
    }

    @Override
    public void truncate(String name, long length) {
        File file = entries.get(name);
        file.length = (int) Math.min(length, file.length);
        file.onlyWrittenSinceSync = false;
    }

    @Override
    public void replaceAtomically(String name, byte[] bytes) {
        File file = new File(bytes);
        entries.put(name, file);
        syncedEntries.put(name, file);
    }

    @Override
    public void delete(String name) {
        entries.remove(name);
    }

    @Override
    public void syncDirectory() {
        syncedEntries = new HashMap<>(entries);
        directorySyncs++;
    }

    @Override
    public String describe(String name) {
        return "simulated-disk/" + name;
    }

    @Override
    public void close() {
        // the disk outlives its node: a restart opens it again
    }

    /**
     * The node crashed: what was not synced is lost, except that each file written since its sync may keep
     * a random prefix of what changed (chosen by {@code random}).
     */
    public void crash(Random random) {
        crash(unsynced -> random.nextBoolean() ? random.nextInt(unsynced + 1) : 0);
    }

    /**
     * A crash that keeps exactly {@code bytes} (at most all) of what each file had written since its sync,
     * counted from the first byte written: every torn tail, one by one.
     */
    public void crashKeeping(int bytes) {
        crash(unsynced -> Math.min(bytes, unsynced));
    }

    private void crash(java.util.function.IntUnaryOperator keptOfUnsynced) {
        Map<String, File> after = new HashMap<>();
        syncedEntries.forEach((name, file) -> {
            byte[] content = file.bytes();
            byte[] kept = file.synced;
            int writtenFrom = file.writtenFrom;
            if (file.onlyWrittenSinceSync && writtenFrom < content.length) {
                int keep = keptOfUnsynced.applyAsInt(content.length - writtenFrom);
                if (keep > 0) {
                    // the written bytes up to the tear, then what was synced past it (zeros written ahead, say)
                    int tornAt = writtenFrom + keep;
                    kept = Arrays.copyOf(content, Math.max(tornAt, file.synced.length));
                    if (tornAt < file.synced.length) {
                        System.arraycopy(file.synced, tornAt, kept, tornAt, file.synced.length - tornAt);
                    }
                    tornWrites++;
                }
            }
            after.put(name, new File(kept));
        });
        entries = after;
        syncedEntries = new HashMap<>(after);
    }

    /** Flips one bit of {@code name} at {@code offset}, as damage on the medium would (durable at once). */
    public void flipBit(String name, int offset) {
        File file = entries.get(name);
        byte[] bytes = file.bytes();
        bytes[offset] ^= 1;
        File damaged = new File(bytes);
        entries.put(name, damaged);
        if (syncedEntries.containsKey(name)) {
            syncedEntries.put(name, damaged);
        }
    }

    /** fsyncs of files so far. */
    public long fileSyncs() {
        return fileSyncs;
    }

    public long directorySyncs() {
        return directorySyncs;
    }

    /** Crashes that kept a part of an unsynced write. */
    public long tornWrites() {
        return tornWrites;
    }

    /** Files on the disk now, and their total size: tests check the log stays bounded. */
    public int fileCount() {
        return entries.size();
    }

    public long totalBytes() {
        return entries.values().stream().mapToLong(file -> file.length).sum();
    }
}
