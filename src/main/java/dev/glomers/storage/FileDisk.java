package dev.glomers.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The real {@link Disk}: a directory of files, held by a {@link DirectoryLock} while open. */
public final class FileDisk implements Disk {

    /** How long a node waits for an earlier incarnation to let go of its directory. */
    public static final Duration LOCK_WAIT = Duration.ofSeconds(5);

    private final Path directory;
    private final DirectoryLock lock;
    private final Map<String, FileChannel> channels = new HashMap<>();

    private FileDisk(Path directory, DirectoryLock lock) {
        this.directory = directory;
        this.lock = lock;
    }

    /** Creates the directory if needed and locks it, waiting up to {@code lockWait} for another holder. */
    public static FileDisk open(Path directory, Duration lockWait) {
        try {
            Files.createDirectories(directory);
            return new FileDisk(directory, DirectoryLock.acquire(directory, lockWait));
        } catch (IOException e) {
            throw new StorageException("cannot open the data directory " + directory + ": " + e, e);
        }
    }

    @Override
    public List<String> list() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(path -> path.getFileName().toString()).filter(name -> !name.equals("lock")).sorted().toList();
        }
    }

    @Override
    public byte[] read(String name) throws IOException {
        return Files.readAllBytes(directory.resolve(name));
    }

    @Override
    public void append(String name, byte[] bytes) throws IOException {
        FileChannel channel = channel(name);
        writeFully(channel, bytes, channel.size());
    }

    @Override
    public void write(String name, long offset, byte[] bytes) throws IOException {
        // Inside the length by contract (the simulated disk checks it): no fstat per write here.
        writeFully(channel(name), bytes, offset);
    }

    /** The file's channel, opened once (not in append mode: the log also writes over zeros it appended). */
    private FileChannel channel(String name) throws IOException {
        FileChannel channel = channels.get(name);
        if (channel == null) {
            channel = FileChannel.open(directory.resolve(name), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            channels.put(name, channel);
        }
        return channel;
    }

    private static void writeFully(FileChannel channel, byte[] bytes, long offset) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long at = offset;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    @Override
    public void sync(String name) throws IOException {
        FileChannel channel = channels.get(name);
        if (channel != null) {
            channel.force(false); // fdatasync: the data and the size needed to read it back
            return;
        }
        try (FileChannel opened = FileChannel.open(directory.resolve(name), StandardOpenOption.WRITE)) {
            opened.force(false);
        }
    }

    @Override
    public void truncate(String name, long length) throws IOException {
        closeChannel(name);
        try (FileChannel channel = FileChannel.open(directory.resolve(name), StandardOpenOption.WRITE)) {
            channel.truncate(length);
        }
    }

    @Override
    public void replaceAtomically(String name, byte[] bytes) throws IOException {
        closeChannel(name);
        Path temporary = directory.resolve(name + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(temporary, directory.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory();
    }

    @Override
    public void delete(String name) throws IOException {
        closeChannel(name);
        Files.deleteIfExists(directory.resolve(name));
    }

    @Override
    public void syncDirectory() throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    @Override
    public String describe(String name) {
        return directory.resolve(name).toString();
    }

    @Override
    public void close() {
        for (FileChannel channel : channels.values()) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing unsynced may count as written anyway
            }
        }
        channels.clear();
        lock.close();
    }

    private void closeChannel(String name) throws IOException {
        FileChannel channel = channels.remove(name);
        if (channel != null) {
            channel.close();
        }
    }
}
