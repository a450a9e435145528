package dev.glomers.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A node handing out {@link HighWater} values through a disk that keeps only what was synced, a value leaving
 * only once the mark covering it is synced (persist before send), crashed at every point of a schedule, and
 * restarted with a clock that gives no help (every run starts from 0): no value ever leaves twice.
 */
class HighWaterTest {

    private static final int BLOCK = 3;
    private static final int STEPS = 60;

    /** One run of the node: its counter, the mark waiting for a sync, and the values held behind it. */
    private static final class Run {
        final HighWater counter = new HighWater(BLOCK);
        byte[] unsynced;
        final List<Long> held = new ArrayList<>();
    }

    /** What left the node, in order, over every run. */
    private static List<Long> play(boolean[] syncAt, Set<Integer> crashes, boolean persists) {
        Stored synced = new Stored(null, List.of());
        List<Long> left = new ArrayList<>();
        Run run = start(synced, 0);
        for (int step = 0; step < syncAt.length; step++) {
            if (crashes.contains(step)) {
                run = start(synced, 0); // unsynced mark and held values gone; the clock gives no help
            }
            if (syncAt[step]) {
                if (run.unsynced != null && persists) {
                    synced = new Stored(run.unsynced, List.of());
                }
                run.unsynced = null;
                left.addAll(run.held);
                run.held.clear();
                continue;
            }
            if (run.counter.needsReservation()) {
                run.unsynced = run.counter.reserve();
            }
            long value = run.counter.next();
            if (run.unsynced == null) {
                left.add(value);
            } else {
                run.held.add(value);
            }
        }
        return left;
    }

    private static Run start(Stored synced, long clockFloor) {
        Run run = new Run();
        run.counter.recover(synced);
        run.counter.raiseTo(clockFloor);
        return run;
    }

    private static boolean[] schedule(long seed) {
        Random random = new Random(seed);
        boolean[] syncAt = new boolean[STEPS];
        for (int i = 0; i < STEPS; i++) {
            syncAt[i] = random.nextInt(10) < 3;
        }
        return syncAt;
    }

    private static boolean distinct(List<Long> values) {
        return new HashSet<>(values).size() == values.size();
    }

    @Test
    void aCrashAtEveryPointNeverRepeatsAValue() {
        for (long seed = 1; seed <= 20; seed++) {
            boolean[] syncAt = schedule(seed);
            for (int crashAt = 0; crashAt < STEPS; crashAt++) {
                List<Long> left = play(syncAt, Set.of(crashAt), true);
                assertThat(distinct(left)).as("seed %d, crash before step %d: %s", seed, crashAt, left).isTrue();
            }
        }
    }

    @Test
    void manyCrashesNeverRepeatAValue() {
        for (long seed = 1; seed <= 200; seed++) {
            Random random = new Random(-seed);
            Set<Integer> crashes = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                crashes.add(random.nextInt(STEPS));
            }
            List<Long> left = play(schedule(seed), crashes, true);
            assertThat(left).isNotEmpty();
            assertThat(distinct(left)).as("seed %d, crashes before steps %s: %s", seed, crashes, left).isTrue();
        }
    }

    @Test
    void withoutItsMarksPersistedTheSameCheckFindsRepeats() {
        boolean[] syncAt = schedule(1);
        boolean repeated = false;
        for (int crashAt = 1; crashAt < STEPS && !repeated; crashAt++) {
            repeated = !distinct(play(syncAt, Set.of(crashAt), false));
        }
        assertThat(repeated).isTrue();
    }

    @Test
    void oneMarkPerBlockAndARestartResumesAtTheLastMark() {
        HighWater counter = new HighWater(BLOCK);
        counter.raiseTo(10);
        byte[] mark = counter.reserve();
        assertThat(counter.next()).isEqualTo(10);
        assertThat(counter.needsReservation()).isFalse();
        counter.next();
        counter.next();
        assertThat(counter.needsReservation()).isTrue();
        HighWater restarted = new HighWater(BLOCK);
        restarted.recover(new Stored(mark, List.of()));
        assertThat(restarted.next()).isEqualTo(13);
        assertThatThrownBy(() -> new HighWater(1).recover(new Stored(new byte[3], List.of()))).isInstanceOf(StorageException.class);
    }
}
