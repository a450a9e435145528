package dev.glomers.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glomers.sim.SimulatedDisk;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The log on the simulated disk: torn tails, corruption, snapshots and truncation, leftovers of a crash. */
class DurableLogTest {

    private static byte[] record(int i) {
        return ("record-" + i + "-" + "x".repeat(i % 7)).getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> texts(List<byte[]> records) {
        return records.stream().map(bytes -> new String(bytes, StandardCharsets.UTF_8)).toList();
    }

    private static List<String> expected(int from, int to) {
        List<String> texts = new ArrayList<>();
        for (int i = from; i < to; i++) {
            texts.add(new String(record(i), StandardCharsets.UTF_8));
        }
        return texts;
    }

    /**
     * Five records synced, then three written in one unsynced write, segments extended by {@code preallocation}
     * zeros at a time (0: none; 16: every write grows the file; 100: the unsynced one does; 4096: none does).
     */
    private static SimulatedDisk fiveSyncedThreeWritten(int preallocation) {
        SimulatedDisk disk = new SimulatedDisk();
        DurableLog log = DurableLog.open(disk, preallocation).log();
        for (int i = 0; i < 5; i++) {
            log.append(record(i));
        }
        log.write();
        log.sync();
        for (int i = 5; i < 8; i++) {
            log.append(record(i));
        }
        log.write();
        return disk;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 16, 100, 4096})
    void aCrashAtEveryByteOfTheLastWriteRecoversTheSyncedRecordsAndOnlyWholeFramesAfter(int preallocation) {
        int lastWrite = 0;
        for (int i = 5; i < 8; i++) {
            lastWrite += Frames.HEADER + record(i).length;
        }
        for (int kept = 0; kept <= lastWrite; kept++) {
            SimulatedDisk disk = fiveSyncedThreeWritten(preallocation);
            disk.crashKeeping(kept);
            DurableLog.Recovered recovered = DurableLog.open(disk, preallocation);
            int whole = 0;
            for (int i = 5, end = 0; i < 8; i++) {
                end += Frames.HEADER + record(i).length;
                if (end <= kept) {
                    whole++;
                }
            }
            assertThat(texts(recovered.stored().records())).as("kept %d bytes", kept).isEqualTo(expected(0, 5 + whole));
            // the torn part is gone from the file: the log goes on after it, and a second recovery agrees
            recovered.log().append(record(100));
            recovered.log().write();
            recovered.log().sync();
            List<String> after = new ArrayList<>(expected(0, 5 + whole));
            after.add(new String(record(100), StandardCharsets.UTF_8));
            assertThat(texts(DurableLog.open(disk, preallocation).stored().records())).isEqualTo(after);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 16, 100, 4096})
    void aFlippedBitBeforeTheLastFrameIsRefusedNamingTheFileAndTheOffsetOfItsFrame(int preallocation) {
        String segment = DurableLog.SEGMENT + DurableLog.pad(0);
        int lastFrameAt = 0;
        for (int i = 0; i < 7; i++) {
            lastFrameAt += Frames.HEADER + record(i).length;
        }
        for (int offset = 0; offset < lastFrameAt; offset++) {
            SimulatedDisk disk = fiveSyncedThreeWritten(preallocation);
            disk.crashKeeping(Integer.MAX_VALUE);
            disk.flipBit(segment, offset);
            int frameAt = 0;
            for (int i = 0; frameAt + Frames.HEADER + record(i).length <= offset; i++) {
                frameAt += Frames.HEADER + record(i).length;
            }
            int at = frameAt;
            assertThatThrownBy(() -> DurableLog.open(disk, preallocation)).as("bit flipped at %d", offset)
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("simulated-disk/" + segment + " at byte offset " + at + ":")
                    .hasMessageContaining("refusing to start");
        }
    }

    @Test
    void aDamagedSnapshotIsRefused() {
        SimulatedDisk disk = new SimulatedDisk();
        DurableLog log = DurableLog.open(disk).log();
        log.append(record(0));
        log.snapshot("state".getBytes(StandardCharsets.UTF_8));
        disk.flipBit(DurableLog.SNAPSHOT + DurableLog.pad(1), Frames.HEADER + 2);
        assertThatThrownBy(() -> DurableLog.open(disk)).isInstanceOf(StorageException.class)
                .hasMessageContaining(DurableLog.SNAPSHOT + DurableLog.pad(1) + " at byte offset 0");
    }

    /** A running sum kept as a snapshot every 50 records, with crashes at random moments: bounded, never wrong. */
    @ParameterizedTest
    @ValueSource(ints = {0, 64, 1024})
    void snapshotsAndTruncationKeepTheLogBoundedOverALongRunWithCrashes(int preallocation) {
        SimulatedDisk disk = new SimulatedDisk();
        Random random = new Random(5);
        DurableLog log = DurableLog.open(disk, preallocation).log();
        long durableSum = 0;
        long sum = 0;
        int sinceSnapshot = 0;
        int maxFiles = 0;
        long maxBytes = 0;
        for (int i = 1; i <= 20_000; i++) {
            sum += i;
            if (++sinceSnapshot == 50) {
                log.snapshot(ByteBuffer.allocate(8).putLong(sum).array());
                durableSum = sum; // a snapshot is durable on return
                sinceSnapshot = 0;
            } else {
                log.append(ByteBuffer.allocate(8).putLong(i).array());
            }
            if (random.nextInt(4) == 0) {
                log.write();
                log.sync();
                durableSum = sum;
            }
            maxFiles = Math.max(maxFiles, disk.fileCount());
            maxBytes = Math.max(maxBytes, disk.totalBytes());
            if (random.nextInt(500) == 0) {
                log.write(); // unsynced: may be torn or lost
                disk.crash(random);
                DurableLog.Recovered recovered = DurableLog.open(disk, preallocation);
                long recoveredSum = sumOf(recovered.stored());
                assertThat(recoveredSum).isBetween(durableSum, sum);
                sum = recoveredSum;
                durableSum = recoveredSum;
                sinceSnapshot = recovered.stored().records().size();
                log = recovered.log();
            }
        }
        assertThat(maxFiles).isLessThanOrEqualTo(3); // the newest snapshot and its segment (+ one being replaced)
        // 50 records of 20 bytes, a 20-byte snapshot, and leftovers; and the zeros written ahead of the records
        assertThat(maxBytes).isLessThan(2_000 + preallocation);
    }

    private static long sumOf(Stored stored) {
        long total = stored.snapshot() == null ? 0 : ByteBuffer.wrap(stored.snapshot()).getLong();
        for (byte[] record : stored.records()) {
            total += ByteBuffer.wrap(record).getLong();
        }
        return total;
    }

    @Test
    void coveredFilesThatComeBackAfterACrashAreIgnored() {
        SimulatedDisk disk = new SimulatedDisk();
        DurableLog log = DurableLog.open(disk).log();
        log.append(record(0));
        log.append(record(1));
        log.write();
        log.sync(); // segment 0 is durable, its directory entry too
        log.snapshot("after two".getBytes(StandardCharsets.UTF_8)); // deletes segment 0, not durably
        log.append(record(2));
        log.write(); // into segment 2, whose directory entry is not durable before its first sync
        assertThat(disk.list()).doesNotContain(DurableLog.SEGMENT + DurableLog.pad(0));
        disk.crashKeeping(Integer.MAX_VALUE);
        assertThat(disk.list()).contains(DurableLog.SEGMENT + DurableLog.pad(0)) // the deletion was not durable
                .doesNotContain(DurableLog.SEGMENT + DurableLog.pad(2));
        DurableLog.Recovered recovered = DurableLog.open(disk);
        assertThat(new String(recovered.stored().snapshot(), StandardCharsets.UTF_8)).isEqualTo("after two");
        assertThat(recovered.stored().records()).isEmpty();
        assertThat(disk.list()).doesNotContain(DurableLog.SEGMENT + DurableLog.pad(0));
        recovered.log().append(record(2));
        recovered.log().write();
        recovered.log().sync();
        assertThat(texts(DurableLog.open(disk).stored().records())).isEqualTo(expected(2, 3));
    }

    @Test
    void manyAppendsInOneBatchCostOneFsync() {
        SimulatedDisk disk = new SimulatedDisk();
        DurableLog log = DurableLog.open(disk).log();
        for (int i = 0; i < 100; i++) {
            log.append(record(i));
        }
        log.write();
        log.sync();
        assertThat(disk.fileSyncs()).isEqualTo(1);
        assertThat(disk.directorySyncs()).isEqualTo(1); // the new segment's entry, once
        log.sync(); // nothing new: no fsync
        assertThat(disk.fileSyncs()).isEqualTo(1);
        assertThat(texts(DurableLog.open(disk).stored().records())).isEqualTo(expected(0, 100));
    }
}
