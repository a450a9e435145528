package dev.glomers.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Holds a data directory for one running node. Two locks, because the node host runs many nodes, and a
 * node's next incarnation, in one JVM: a JVM-wide registry (a file lock does not exclude its own process)
 * and an OS file lock on {@code DIR/lock} (other processes). A node that finds the directory held waits a
 * bounded time for the holder to let go (a killed incarnation is still closing), then refuses.
 */
final class DirectoryLock implements AutoCloseable {

    private static final Set<Path> HELD_IN_THIS_JVM = ConcurrentHashMap.newKeySet();
    private static final long RETRY_MILLIS = 20;

    private final Path directory;
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(Path directory, FileChannel channel, FileLock lock) {
        this.directory = directory;
        this.channel = channel;
        this.lock = lock;
    }

    static DirectoryLock acquire(Path directory, Duration wait) throws IOException {
        Path key = directory.toRealPath();
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            if (HELD_IN_THIS_JVM.add(key)) {
                FileChannel channel = FileChannel.open(key.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = null;
                try {
                    lock = channel.tryLock();
                } finally {
                    if (lock == null) {
                        channel.close();
                        HELD_IN_THIS_JVM.remove(key);
                    }
                }
                if (lock != null) {
                    return new DirectoryLock(key, channel, lock);
                }
            }
            if (System.nanoTime() >= deadline) {
                throw new StorageException("data directory " + key + " is held by another running node (still held after "
                        + wait.toMillis() + " ms); refusing to open it twice");
            }
            try {
                Thread.sleep(RETRY_MILLIS); // waiting for another node to let go, not timing a test
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted while waiting for the data directory " + key);
            }
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // closing releases the OS lock anyway
        } finally {
            HELD_IN_THIS_JVM.remove(directory);
        }
    }
}
