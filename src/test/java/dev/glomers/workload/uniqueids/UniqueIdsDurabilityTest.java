package dev.glomers.workload.uniqueids;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.node.Body;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.storage.Stored;
import dev.glomers.workload.crdt.RecordingDisk;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A durable unique-ids core crashed at random points, restarted with a clock that may have gone back. */
class UniqueIdsDurabilityTest {

    private static final List<String> NODES = List.of("n0", "n1", "n2");

    private static Message generate(long msgId) {
        return new Message("c1", "n1", Wire.JSON.createObjectNode().put("type", "generate").put("msg_id", msgId));
    }

    private static UniqueIdsCore restart(Stored stored, long now, RecordingDisk disk) {
        UniqueIdsCore core = new UniqueIdsCore("n1", NODES);
        if (!stored.isEmpty()) {
            core.recover(stored);
        }
        core.start(now, disk);
        return core;
    }

    /**
     * Ids that left the node across many crashes (each losing what was not synced) and restarts whose clock
     * stands still or goes back; returns how many ids repeated.
     */
    private static int repeatsAcrossCrashes(RecordingDisk disk, long seed) {
        Random random = new Random(seed);
        Set<Long> seen = new HashSet<>();
        int repeats = 0;
        long clock = 1_000_000;
        UniqueIdsCore core = restart(disk.stored(), clock, disk);
        for (int step = 0; step < 20_000; step++) {
            core.receive(generate(step + 1), clock, disk);
            if (random.nextInt(4) == 0) {
                disk.sync();
            }
            // Ids handed out fast: about 5000 per ms of clock, more than the 1024 the clock alone keeps apart.
            clock += random.nextInt(5000) == 0 ? 1 : 0;
            for (RecordingDisk.Out out : disk.drain()) {
                long id = out.body() instanceof UniqueIdsCore.GenerateOk ok ? ok.id() : -1;
                assertThat(id).as("generate_ok").isNotNegative();
                repeats += seen.add(id) ? 0 : 1;
            }
            if (random.nextInt(500) == 0) {
                Stored stored = disk.crash();
                clock -= random.nextInt(3); // the clock stood still or went back
                core = restart(stored, clock, disk);
            }
        }
        return repeats;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void noIdRepeatsAcrossCrashesWhateverTheClockDid(long seed) {
        assertThat(repeatsAcrossCrashes(RecordingDisk.keeping(), seed)).isZero();
    }

    @Test
    void withoutPersistingTheReservationsTheSameCheckFindsRepeats() {
        assertThat(repeatsAcrossCrashes(RecordingDisk.forgetful(), 1)).isPositive();
    }

    @Test
    void onlyTheFirstIdOfEachBlockWaitsForASync() {
        RecordingDisk disk = RecordingDisk.keeping();
        UniqueIdsCore core = restart(disk.stored(), 5, disk);
        core.receive(generate(1), 5, disk);
        assertThat(disk.drain()).as("the first id waits for the reservation's sync").isEmpty();
        disk.sync();
        assertThat(disk.drain()).hasSize(1);
        for (int i = 2; i <= IdSequence.BLOCK; i++) {
            core.receive(generate(i), 5, disk);
        }
        assertThat(disk.drain()).as("the rest of the block leaves at once").hasSize((int) IdSequence.BLOCK - 1);
        core.receive(generate(IdSequence.BLOCK + 1), 5, disk);
        assertThat(disk.drain()).as("the next block's first id waits again").isEmpty();
        disk.sync();
        assertThat(disk.syncs()).isEqualTo(2);
        assertThat(disk.stored().records()).as("each reservation replaces the last: the log stays bounded").isEmpty();
        assertThat(disk.storedBytes()).isEqualTo(Long.BYTES);
    }

    @Test
    void withoutADataDirectoryNothingIsPersisted() {
        Effects memoryOnly = new Effects() {
            @Override
            public void send(String dest, Body body) {
                throw new AssertionError("unique-ids sends nothing to peers");
            }

            @Override
            public void reply(Message request, Body body) {
            }

            @Override
            public void fail(Message request, RpcError error) {
                throw error;
            }

            @Override
            public long request(String dest, Body body) {
                throw new AssertionError("unique-ids sends no requests");
            }
        }; // persist and snapshot throw here (Effects' defaults)
        UniqueIdsCore core = new UniqueIdsCore("n1", NODES);
        core.start(5, memoryOnly);
        for (int i = 0; i < 3 * IdSequence.BLOCK; i++) {
            core.receive(generate(i + 1), 5, memoryOnly);
        }
    }
}
