package dev.glomers.workload.counter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.cluster.load.CounterLoad;
import dev.glomers.sim.Simulation;
import dev.glomers.sim.Simulation.Latency;
import dev.glomers.workload.crdt.FaultRun;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shipped g-counter (strict and frugal), durable, in the simulation on the runner's seq-kv under crashes
 * (all nodes at once too), restarts, pauses and partitions: the runner's counter checker finds the final reads
 * exact. (That no stamp repeats across restarts, and what breaks when the reservations are lost, is checked
 * where every compare-and-set is seen: {@link GCounterDurabilityTest}.)
 */
class GCounterCrashSimulationTest {

    @ParameterizedTest
    @CsvSource({"g-counter,1", "g-counter,2", "'g-counter,frugal',3", "'g-counter,frugal',4"})
    void finalReadsAreExactUnderCrashesRestartsPausesAndPartitions(String profiles, long seed) {
        try (Simulation sim = Simulation.startDurable(profiles, 3, seed)) {
            sim.latency(Duration.ofMillis(10), Latency.EXPONENTIAL).dropRate(0.02).syncLatency(Duration.ofMillis(2));
            FaultRun.Outcome outcome = FaultRun.run(sim, CounterLoad.growOnly(), 100, 20, Duration.ofMillis(700), false);
            assertThat(outcome.checks()).as("%s", outcome.checks()).allMatch(check -> check.isValid());
            assertThat(outcome.history().counts().ok()).isGreaterThan(1000);
            assertThat(outcome.crashes()).isGreaterThan(5);
            for (String id : sim.nodeIds()) {
                assertThat(sim.disk(id).totalBytes()).as("%s keeps one reservation", id).isLessThan(4096);
            }
        }
    }
}
