package dev.glomers.workload.uniqueids;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.cluster.load.UniqueIdsLoad;
import dev.glomers.sim.Simulation;
import dev.glomers.workload.crdt.FaultRun;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped unique-ids nodes, durable, in the simulation under crashes (all at once too), restarts, pauses
 * and partitions: the runner's unique-ids checker finds no id twice, and the nodes send each other nothing.
 * (That the reservations, not the clock, keep a restart's ids apart is shown where the clock can be made to
 * go back: {@link UniqueIdsDurabilityTest}.)
 */
class UniqueIdsCrashSimulationTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void noIdIsHandedOutTwiceUnderCrashesRestartsPausesAndPartitions(long seed) {
        try (Simulation sim = Simulation.startDurable("unique-ids", 3, seed)) {
            sim.syncLatency(Duration.ofMillis(2));
            FaultRun.Outcome outcome = FaultRun.run(sim, new UniqueIdsLoad(), 300, 10, Duration.ofMillis(500), false);
            assertThat(outcome.checks()).as("%s", outcome.checks()).allMatch(check -> check.isValid());
            assertThat(outcome.history().counts().ok()).isGreaterThan(1000);
            assertThat(outcome.crashes()).isGreaterThan(3);
            assertThat(sim.serverMessages()).as("node-to-node messages").isZero();
            for (String id : sim.nodeIds()) {
                assertThat(sim.disk(id).totalBytes()).as("%s keeps one reservation", id).isLessThan(4096);
            }
        }
    }
}
