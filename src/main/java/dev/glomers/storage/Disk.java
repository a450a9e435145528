package dev.glomers.storage;

import java.io.IOException;
import java.util.List;

/**
 * The files of one data directory, as the storage needs them and nothing more. Nothing written is durable
 * until synced: {@link #append}, {@link #write} and {@link #truncate} until {@link #sync} of that file, a file's creation
 * and {@link #delete} until {@link #syncDirectory}; only {@link #replaceAtomically} is durable on return.
 * The real one is {@link FileDisk}; the simulation's (src/test, {@code sim.SimulatedDisk}) keeps only what
 * was synced when its node crashes, and may keep a torn prefix of the last unsynced write.
 *
 * <p>Used from one thread at a time (the node's event loop; {@link EventLoopSync#close} waits for it).
 */
public interface Disk extends AutoCloseable {

    /** Names of the files in the directory. */
    List<String> list() throws IOException;

    /** The whole content of {@code name}. */
    byte[] read(String name) throws IOException;

    /** Appends to {@code name}, creating it when absent; durable only after {@link #sync} (and, new, {@link #syncDirectory}). */
    void append(String name, byte[] bytes) throws IOException;

    /**
     * Overwrites bytes of {@code name} from {@code offset} on, inside its length (the log writes its records
     * over zeros it appended ahead); durable only after {@link #sync}. A crash may keep a prefix of it.
     */
    void write(String name, long offset, byte[] bytes) throws IOException;

    /** Makes the content of {@code name} durable (fsync). */
    void sync(String name) throws IOException;

    /** Cuts {@code name} to {@code length} bytes; durable after {@link #sync}. */
    void truncate(String name, long length) throws IOException;

    /** Replaces (or creates) {@code name} with {@code bytes} all at once: after a crash it is either the old or the new content; durable on return. */
    void replaceAtomically(String name, byte[] bytes) throws IOException;

    /** Removes {@code name} if present; it may come back after a crash until {@link #syncDirectory}. */
    void delete(String name) throws IOException;

    /** Makes the directory's entries durable: files created and deleted since the last call. */
    void syncDirectory() throws IOException;

    /** How a file is named in messages to people (a path for the real disk). */
    String describe(String name);

    /** Releases the directory (its lock, open files); nothing is written after. */
    @Override
    void close();
}
