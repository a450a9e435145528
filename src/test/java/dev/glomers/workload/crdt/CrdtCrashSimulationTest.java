package dev.glomers.workload.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.cluster.load.ClientLoad;
import dev.glomers.cluster.load.CounterLoad;
import dev.glomers.cluster.load.GSetLoad;
import dev.glomers.sim.Simulation;
import dev.glomers.sim.Simulation.Latency;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped pn-counter and g-set, durable, in the simulation under crashes (all nodes at once too), restarts,
 * pauses and partitions: the runner's checker finds every history valid (final reads exact, nothing
 * acknowledged lost); the same runs with a disk wiped at each crash (nothing persisted) are caught.
 */
class CrdtCrashSimulationTest {

    /**
     * The runner's load of the workload; pn-counter's with only positive deltas when {@code growOnly}: then a lost
     * acknowledged add shows as a final read below the acknowledged sum, however many adds are indeterminate
     * (with both signs their subset sums cover almost any value).
     */
    static Supplier<ClientLoad> load(String workload, boolean growOnly) {
        if (workload.equals("g-set")) {
            return GSetLoad::new;
        }
        return growOnly ? CounterLoad::growOnly : CounterLoad::positiveNegative;
    }

    static FaultRun.Outcome run(String workload, boolean growOnly, long seed, boolean wipeOnCrash) {
        try (Simulation sim = Simulation.startDurable(workload, 3, seed)) {
            sim.latency(Duration.ofMillis(10), Latency.EXPONENTIAL).dropRate(0.02).syncLatency(Duration.ofMillis(2));
            FaultRun.Outcome outcome = FaultRun.run(sim, load(workload, growOnly).get(), 100, 20, Duration.ofMillis(700), wipeOnCrash);
            for (String id : sim.nodeIds()) {
                assertThat(sim.disk(id).totalBytes()).as("%s's data directory stays small", id).isLessThan(512 * 1024);
            }
            return outcome;
        }
    }

    @ParameterizedTest
    @CsvSource({"pn-counter,false,1", "pn-counter,false,2", "pn-counter,true,3", "g-set,false,1", "g-set,false,2", "g-set,false,3"})
    void everyHistoryIsValidUnderCrashesRestartsPausesAndPartitions(String workload, boolean growOnly, long seed) {
        FaultRun.Outcome outcome = run(workload, growOnly, seed, false);
        assertThat(outcome.checks()).as("%s", outcome.checks()).allMatch(check -> check.isValid());
        assertThat(outcome.crashes()).isGreaterThan(5);
        assertThat(outcome.killAll()).isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"pn-counter", "g-set"})
    void theSameCheckCatchesANodeThatPersistsNothing(String workload) {
        assertThat(LongStream.rangeClosed(1, 4).mapToObj(seed -> run(workload, true, seed, true)))
                .as("runs with every crash wiping the disk").anyMatch(outcome -> !outcome.valid());
    }
}
