package dev.glomers.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real data directory: files, fsyncs, the lock between incarnations in one JVM, the identity. */
class DataDirectoryTest {

    @TempDir
    Path directory;

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> texts(Stored stored) {
        return stored.records().stream().map(record -> new String(record, StandardCharsets.UTF_8)).toList();
    }

    private NodeStorage.Opened open(String nodeId, List<String> nodeIds) {
        return NodeStorage.inDirectory(directory).open(nodeId, nodeIds);
    }

    /** Persists and waits (bounded) for the sync, as the event loop would hear it. */
    private static void persistAndWait(GroupCommit commit, String... records) throws Exception {
        CompletableFuture<Long> synced = new CompletableFuture<>();
        commit.onSynced(synced::complete);
        long last = 0;
        for (String record : records) {
            last = commit.persist(bytes(record));
        }
        commit.flush();
        assertThat(synced.get(10, TimeUnit.SECONDS)).isEqualTo(last);
    }

    @Test
    void whatWasSyncedComesBackToTheNextIncarnationAndATornTailIsCutAway() throws Exception {
        NodeStorage first = NodeStorage.inDirectory(directory);
        NodeStorage.Opened opened = first.open("n0", List.of("n0", "n1"));
        assertThat(opened.recovered()).isNull(); // a first start
        persistAndWait(opened.commit(), "a", "b");
        opened.commit().snapshot(bytes("ab"));
        persistAndWait(opened.commit(), "c");
        first.close();

        Path segment = directory.resolve(DurableLog.SEGMENT + DurableLog.pad(2));
        long synced = Frames.HEADER + 1; // frame "c"; the zeros written ahead follow it
        assertThat(Files.size(segment)).isEqualTo(synced + DurableLog.PREALLOCATION);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 9, 1, 2}), synced); // a torn frame header over the zeros
        }
        NodeStorage second = NodeStorage.inDirectory(directory);
        Stored stored = second.open("n0", List.of("n0", "n1")).recovered();
        assertThat(new String(stored.snapshot(), StandardCharsets.UTF_8)).isEqualTo("ab");
        assertThat(texts(stored)).containsExactly("c");
        assertThat(Files.size(segment)).isEqualTo(synced); // the torn header and the zeros after it are cut away
        assertThat(Files.exists(directory.resolve(DurableLog.SEGMENT + DurableLog.pad(0)))).isFalse();
        second.close();
    }

    /** What makes a sync cheap: records go over zeros written ahead, so syncs leave the file's size alone. */
    @Test
    void recordsGoOverZerosWrittenAheadSoASyncLeavesTheSizeAloneUntilTheyRunOut() throws Exception {
        NodeStorage storage = NodeStorage.inDirectory(directory);
        GroupCommit commit = storage.open("n0", List.of("n0")).commit();
        Path segment = directory.resolve(DurableLog.SEGMENT + DurableLog.pad(0));
        persistAndWait(commit, "first");
        long size = Files.size(segment);
        assertThat(size).isEqualTo(Frames.HEADER + "first".length() + DurableLog.PREALLOCATION);
        String big = "x".repeat(1000);
        int fitting = (int) ((size - Frames.HEADER - "first".length()) / (Frames.HEADER + big.length()));
        for (int done = 0; done < fitting; done += 100) {
            String[] batch = new String[Math.min(100, fitting - done)];
            java.util.Arrays.fill(batch, big);
            persistAndWait(commit, batch); // one sync per batch, fewer fsyncs for the test
            assertThat(Files.size(segment)).isEqualTo(size);
        }
        persistAndWait(commit, big); // runs past the zeros: the segment grows once, by a preallocation past it
        assertThat(Files.size(segment)).isGreaterThan(size + DurableLog.PREALLOCATION);
        storage.close();
        Stored stored = open("n0", List.of("n0")).recovered();
        assertThat(texts(stored)).hasSize(fitting + 2).startsWith("first").endsWith(big);
    }

    @Test
    void aFlippedByteInARealFileIsRefusedNamingThePathAndOffset() throws Exception {
        NodeStorage storage = NodeStorage.inDirectory(directory);
        persistAndWait(storage.open("n0", List.of("n0")).commit(), "first", "second");
        storage.close();
        Path segment = directory.resolve(DurableLog.SEGMENT + DurableLog.pad(0));
        byte[] content = Files.readAllBytes(segment);
        content[Frames.HEADER + 1] ^= 0x40; // inside the payload of the first frame
        Files.write(segment, content);
        assertThatThrownBy(() -> open("n0", List.of("n0")))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining(segment + " at byte offset 0: a frame whose payload fails its checksum with more data after it");
    }

    @Test
    void aDirectoryOfAnotherNodeOrClusterIsRefused() {
        NodeStorage storage = NodeStorage.inDirectory(directory);
        storage.open("n1", List.of("n0", "n1", "n2"));
        storage.close();
        assertThatThrownBy(() -> open("n2", List.of("n0", "n1", "n2")))
                .isInstanceOf(StorageException.class)
                .hasMessage("data directory " + directory.resolve("") + " belongs to node n1 of cluster [n0,n1,n2], not to node n2 of cluster [n0,n1,n2]; refusing to start");
        assertThatThrownBy(() -> open("n1", List.of("n0", "n1")))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("belongs to node n1 of cluster [n0,n1,n2], not to node n1 of cluster [n0,n1]");
        NodeStorage same = NodeStorage.inDirectory(directory);
        assertThat(same.open("n1", List.of("n0", "n1", "n2")).recovered()).isNotNull();
        same.close();
    }

    @Test
    void aSecondIncarnationInTheSameJvmIsRefusedWhileTheFirstHoldsTheDirectory() {
        FileDisk first = FileDisk.open(directory, FileDisk.LOCK_WAIT);
        try {
            assertThatThrownBy(() -> FileDisk.open(directory, Duration.ofMillis(100)))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("is held by another running node (still held after 100 ms)");
        } finally {
            first.close();
        }
        FileDisk.open(directory, Duration.ZERO).close(); // released: free again at once
    }

    @Test
    void aSecondIncarnationWaitingForTheDirectoryGetsItWhenTheFirstLetsGo() throws Exception {
        FileDisk first = FileDisk.open(directory, FileDisk.LOCK_WAIT);
        CompletableFuture<FileDisk> second = CompletableFuture.supplyAsync(() -> FileDisk.open(directory, Duration.ofSeconds(30)));
        first.close();
        second.get(30, TimeUnit.SECONDS).close();
    }
}
