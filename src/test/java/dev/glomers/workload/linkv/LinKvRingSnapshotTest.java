package dev.glomers.workload.linkv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.node.CoreDriver;
import dev.glomers.raft.RaftProperties;
import dev.glomers.retry.Backoff;
import dev.glomers.retry.Retries;
import dev.glomers.sim.SimulatedClients;
import dev.glomers.sim.Simulation;
import io.github.resilience4j.retry.Retry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole lin-kv nodes, a snapshot every 7 entries: a follower cut off while the leader compacts past it, then
 * the five-node majorities ring with that follower a non-neighbour of the leader (n0 - n1 - n2 - n3 - n4 - n0).
 * The leader reaches it only around, through its neighbours, and never hears it directly. Its clients must be
 * served during the ring: the snapshot goes around as appends do, and its acknowledgements come back so.
 * Before the chunks took the appends' ways, none of that node's operations was served during the ring (0 of
 * 29-32 in each of these three seeds), against 0.988-0.990 since.
 */
class LinKvRingSnapshotTest {

    private static RaftProperties settings;
    private static Retry reforward;

    @BeforeAll
    static void productSettings() {
        try (Simulation sim = Simulation.start("lin-kv", 1, 0)) {
            settings = sim.bean("n0", RaftProperties.class).withSnapshots(7, 64);
            reforward = sim.bean("n0", Retries.class).policy(LinKvWorkload.REFORWARD);
        }
    }

    /** Answered from the state machine (ok, or 20 / 22 as applying decided); the rest is 11 or a timeout. */
    private static boolean served(SimulatedClients.Call call) {
        return !call.timedOut()
                && (!call.reply().type().equals("error") || List.of(20, 22).contains(call.reply().body().path("code").asInt()));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void aNonNeighbourOfTheLeaderBehindItsSnapshotIsServedDuringTheRing(long seed) {
        try (Simulation sim = Simulation.startWired(5, seed,
                node -> CoreDriver.drive(node, () -> LinKvWorkload.core(node, settings, new Backoff(reforward))))) {
            sim.latency(Duration.ofMillis(1), Simulation.Latency.EXPONENTIAL);
            String[] appendsFrom = {null};
            AtomicBoolean elected = new AtomicBoolean();
            sim.observe(m -> {
                if (!elected.get() && m.body().toString().contains("append_entries")) {
                    appendsFrom[0] = m.src(); // before any fault only the leader sends appends (alone, or in a bundle)
                }
            });
            sim.runFor(Duration.ofSeconds(3)); // the first election
            elected.set(true);
            String leader = appendsFrom[0];
            String lagging = "n" + (Integer.parseInt(leader.substring(1)) + 2) % 5;
            SimulatedClients load = SimulatedClients.atRate(sim, 20, 50, Duration.ofSeconds(1),
                    random -> LinKvHistory.nextRequest(random, 3));
            sim.runFor(Duration.ofSeconds(2));
            sim.partition(List.of(lagging));
            sim.runFor(Duration.ofSeconds(3)); // about a hundred entries: the leader compacts past it
            sim.heal();
            AtomicBoolean chunkPassedOn = new AtomicBoolean();
            sim.observe(m -> {
                if (m.dest().equals(lagging) && !m.src().equals(leader) && m.body().toString().contains("install_snapshot")) {
                    chunkPassedOn.set(true);
                }
            });
            long ringFrom = sim.time().millis();
            sim.grudge(LinKvFiveNodeRingTest.fiveNodeRing());
            sim.runFor(Duration.ofSeconds(10));
            long ringUntil = sim.time().millis();
            sim.heal();
            sim.runFor(Duration.ofSeconds(2));
            load.stop();
            sim.runFor(Duration.ofSeconds(2));

            List<SimulatedClients.Call> calls = load.calls();
            LinKvHistory.assertLinearizable(calls, seed);
            List<SimulatedClients.Call> atLagging = calls.stream()
                    .filter(c -> c.node().equals(lagging) && c.invokedAt() >= ringFrom && c.invokedAt() < ringUntil).toList();
            double servedAtLagging = (double) atLagging.stream().filter(LinKvRingSnapshotTest::served).count() / atLagging.size();
            System.err.printf("lin-kv ring with a snapshot to send, seed %d: leader %s, %s served %.3f of %d calls during the ring%n",
                    seed, leader, lagging, servedAtLagging, atLagging.size());
            assertThat(chunkPassedOn).as("seed %d: the snapshot went to %s through the leader's neighbours", seed, lagging).isTrue();
            assertThat(servedAtLagging).as("seed %d: operations at %s during the ring", seed, lagging).isGreaterThanOrEqualTo(0.9);
        }
    }
}
