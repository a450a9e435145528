package dev.glomers.sim;

import dev.glomers.storage.Disk;
import java.io.ByteArrayOutputStream;
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
 * back as it was synced, and a file appended to since its last sync keeps its synced bytes plus, by the
 * seed, a random prefix of what followed (a torn write), as FoundationDB's and TigerBeetle's simulated
 * disks do. {@link Disk#replaceAtomically} is durable at once, as its real counterpart (rename + fsyncs).
 *
 * <p>Counts fsyncs ({@link #fileSyncs}) so tests can see group commit at work.
 */
public final class SimulatedDisk implements Disk {

    private static final class File {
        final ByteArrayOutputStream content = new ByteArrayOutputStream();
        byte[] synced = new byte[0];
        /** Since the last sync only appends happened: a crash may keep a prefix of them. */
        boolean onlyAppendedSinceSync = true;

        File(byte[] initial) {
            content.writeBytes(initial);
            synced = initial.clone();
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
        return file.content.toByteArray();
    }

    @Override
    public void append(String name, byte[] bytes) {
        File file = entries.computeIfAbsent(name, created -> {
            File fresh = new File(new byte[0]);
            return fresh;
        });
        file.content.writeBytes(bytes);
    }

    @Override
    public void sync(String name) {
        File file = entries.get(name);
        if (file != null) {
            file.synced = file.content.toByteArray();
            file.onlyAppendedSinceSync = true;
            fileSyncs++;
        }
    }

    @Override
    public void truncate(String name, long length) {
        File file = entries.get(name);
        byte[] kept = Arrays.copyOf(file.content.toByteArray(), (int) length);
        file.content.reset();
        file.content.writeBytes(kept);
        file.onlyAppendedSinceSync = false;
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
     * The node crashed: what was not synced is lost, except that each file appended to since its sync may
     * keep a random prefix of those bytes (chosen by {@code random}).
     */
    public void crash(Random random) {
        Map<String, File> after = new HashMap<>();
        syncedEntries.forEach((name, file) -> {
            byte[] content = file.content.toByteArray();
            byte[] kept = file.synced;
            int unsynced = content.length - file.synced.length;
            if (file.onlyAppendedSinceSync && unsynced > 0 && random.nextBoolean()) {
                kept = Arrays.copyOf(content, file.synced.length + random.nextInt(unsynced + 1));
                tornWrites++;
            }
            after.put(name, new File(kept));
        });
        entries = after;
        syncedEntries = new HashMap<>(after);
    }

    /** Flips one bit of {@code name} at {@code offset}, as damage on the medium would (durable at once). */
    public void flipBit(String name, int offset) {
        File file = entries.get(name);
        byte[] bytes = file.content.toByteArray();
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
        return entries.values().stream().mapToLong(file -> file.content.size()).sum();
    }
}
