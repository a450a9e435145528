package dev.glomers.workload.linkv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.sim.SimulatedClients;
import dev.glomers.sim.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Message economy, availability and latency of Spring-wired lin-kv nodes on the load shapes, in
 * virtual time with loopback-like latency (exponential, 0.5 ms mean) and partitions of random halves
 * that start and heal every {@code interval}, as the workbench's nemesis does. Msgs-per-op counts as the
 * workbench's {@code :servers}; every history is also checked for linearizability.
 */
class LinKvEconomyTest {

    record Figures(double msgsPerOp, double okShare, long medianMillis) {
    }

    static Figures run(String profiles, int nodes, int clients, double rate, int seconds, int partitionInterval, long seed) {
        return run(profiles, nodes, clients, rate, seconds, partitionInterval, seed, 3);
    }

    /**
     * {@code keys}: the keys operations spread over; the workbench moves to fresh keys as it goes, and a key's
     * history with many indeterminate operations makes the linearizability search expensive, so the long
     * partitioned runs spread wider.
     */
    static Figures run(String profiles, int nodes, int clients, double rate, int seconds, int partitionInterval, long seed, int keys) {
        try (Simulation sim = Simulation.start(profiles, nodes, seed)) {
            sim.latency(Duration.ofNanos(500_000), Simulation.Latency.EXPONENTIAL);
            sim.runFor(Duration.ofSeconds(3)); // the first election
            long before = sim.serverMessages();
            SimulatedClients load = SimulatedClients.atRate(sim, clients, rate, Duration.ofSeconds(1), random -> LinKvHistory.nextRequest(random, keys));
            int step = partitionInterval > 0 ? partitionInterval : seconds;
            for (int t = 0; t < seconds; t += step) {
                if (partitionInterval > 0 && (t / step) % 2 == 0) {
                    List<String> ids = new ArrayList<>(sim.nodeIds());
                    Collections.shuffle(ids, sim.random());
                    sim.partition(ids.subList(0, nodes / 2));
                } else {
                    sim.heal();
                }
                sim.runFor(Duration.ofSeconds(step));
            }
            load.stop();
            sim.heal();
            sim.runFor(Duration.ofSeconds(2));
            List<SimulatedClients.Call> calls = load.calls();
            LinKvHistory.assertLinearizable(calls, seed);
            LinKvHistory.Tally tally = LinKvHistory.tally(calls);
            List<Long> latencies = calls.stream().filter(call -> !call.timedOut())
                    .map(SimulatedClients.Call::latencyMillis).sorted().toList();
            Figures figures = new Figures((double) (sim.serverMessages() - before) / calls.size(),
                    (double) tally.ok() / tally.total(), latencies.get(latencies.size() / 2));
            System.err.printf("lin-kv %s, %d nodes, rate %.0f, partitions every %d s: %s %s%n",
                    profiles, nodes, rate, partitionInterval, figures, tally);
            return figures;
        }
    }

    @Test
    void atRate100ThreeFrugalNodesCostAtMostSixTenthsOfAMessagePerOperation() {
        Figures figures = run("lin-kv,frugal", 3, 12, 100, 12, 0, 1);
        assertThat(figures.msgsPerOp()).isLessThanOrEqualTo(0.6);
    }

    @Test
    void theDefaultProfileAnswersTheMedianClientWithin10Milliseconds() {
        Figures figures = run("lin-kv", 3, 12, 100, 12, 0, 1);
        assertThat(figures.medianMillis()).isLessThan(10);
    }

    /** The floor: at rate 30 an operation rarely shares a window, and needs a message out and one back. */
    @Test
    void theTutorialsLineUnderPartitionsByDefaultAnswersWithin20MillisecondsAtAtMostTwoMessagesPerOperation() {
        Figures figures = run("lin-kv", 3, 12, 30, 60, 10, 2);
        assertThat(figures.msgsPerOp()).isLessThanOrEqualTo(2.0);
        assertThat(figures.medianMillis()).isLessThan(20);
        assertThat(figures.okShare()).isGreaterThanOrEqualTo(0.4);
    }

    @Test
    void theTutorialsLineUnderPartitionsCostsAFrugalNodeAtMostOneMessagePerOperation() {
        Figures figures = run("lin-kv,frugal", 3, 12, 30, 60, 10, 2);
        assertThat(figures.msgsPerOp()).isLessThanOrEqualTo(1.0);
        assertThat(figures.okShare()).isGreaterThanOrEqualTo(0.4);
    }

    @Test
    void fiveNodesWithPartitionsEveryThreeSecondsStayAvailable() {
        Figures figures = run("lin-kv", 5, 50, 100, 30, 3, 3, 12);
        assertThat(figures.okShare()).isGreaterThanOrEqualTo(0.3);
    }
}
