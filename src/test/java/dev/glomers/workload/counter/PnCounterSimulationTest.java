package dev.glomers.workload.counter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.sim.Simulation;
import dev.glomers.sim.Simulation.Latency;
import dev.glomers.workload.counter.CounterHistory.Op;
import dev.glomers.workload.crdt.GossipLog;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shipped pn-counter ({@link dev.glomers.workload.crdt.CrdtCore} over a {@link PnCounterState}) in the deterministic simulation. */
class PnCounterSimulationTest {

    private static long read(Simulation sim, CounterHistory history, String node) {
        Op read = history.read(node);
        sim.runFor(Duration.ofMillis(1));
        assertThat(read.ok()).as("reads never leave the node: %s", read).isTrue();
        return read.value();
    }

    private static boolean converged(Simulation sim, CounterHistory history, long sum) {
        return sim.nodeIds().stream().allMatch(node -> read(sim, history, node) == sum);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void addsOnBothSidesOfAPartitionAreCountedEverywhereSoonAfterHealingThenGossipFallsSilent(long seed) {
        try (Simulation sim = Simulation.start("pn-counter", 3, seed)) {
            sim.latency(Duration.ofMillis(20), Latency.EXPONENTIAL).dropRate(0.05).duplicateRate(0.05);
            GossipLog gossip = GossipLog.watch(sim);
            CounterHistory history = new CounterHistory(sim);
            sim.partition(List.of("n0"));
            long start = gossip.now();
            long sum = 0;
            long onN0 = 0;
            for (int i = 0; i < 400; i++) {
                sim.runFor(Duration.ofMillis(sim.random().nextInt(50)));
                String node = "n" + sim.random().nextInt(3);
                long delta = sim.random().nextInt(11) - 5;
                Op add = history.add(node, delta);
                sim.runFor(Duration.ofMillis(1));
                assertThat(add.ok()).as("adds stay available in a partition").isTrue();
                sum += delta;
                onN0 += node.equals("n0") ? delta : 0;
            }
            long healAt = gossip.now();
            assertThat(read(sim, history, "n0")).as("n0 is cut off: it holds exactly its own adds").isEqualTo(onN0);
            // Toward a peer that never answers, repeats back off to one every 8 ticks (2 s).
            long repeats = gossip.sent("n1", "n0", start + 2000, healAt);
            assertThat(repeats).as("n1's messages to cut-off n0 in %d ms", healAt - start - 2000)
                    .isBetween((healAt - start - 2000) / 2000 - 1, (healAt - start - 2000) / 2000 + 1);

            sim.heal();
            long target = sum;
            assertThat(GossipLog.within(sim, Duration.ofSeconds(4), () -> converged(sim, history, target)))
                    .as("every node reads the exact sum within 4 s of healing").isTrue();
            gossip.assertSilentForGoodAfter(healAt);
            gossip.assertOnePerLinkPerInterval(250);
            assertThat(converged(sim, history, sum)).isTrue();
        }
    }

    @org.junit.jupiter.api.Test
    void anAddThatWouldOverflowIsADefiniteErrorAndTheNodeGoesOn() {
        try (Simulation sim = Simulation.start("pn-counter", 2, 4)) {
            CounterHistory history = new CounterHistory(sim);
            Op huge = history.add("n0", Long.MAX_VALUE);
            sim.runFor(Duration.ofMillis(1));
            assertThat(huge.ok()).isTrue();
            Op overflow = history.add("n0", 1);
            sim.runFor(Duration.ofMillis(1));
            assertThat(overflow.errorCode()).as("n0's own sum would overflow: %s", overflow).isEqualTo(12);
            assertThat(read(sim, history, "n0")).as("the node still serves").isEqualTo(Long.MAX_VALUE);

            sim.runFor(Duration.ofSeconds(2));
            assertThat(read(sim, history, "n1")).as("n1 learnt n0's add").isEqualTo(Long.MAX_VALUE);
            Op overflowAtN1 = history.add("n1", 1);
            sim.runFor(Duration.ofMillis(1));
            assertThat(overflowAtN1.errorCode()).as("n1's own sum fits, the count it knows would not: %s", overflowAtN1)
                    .isEqualTo(12);
            Op fits = history.add("n1", -5);
            sim.runFor(Duration.ofMillis(1));
            assertThat(fits.ok()).isTrue();
            assertThat(read(sim, history, "n1")).isEqualTo(Long.MAX_VALUE - 5);
        }
    }
}
