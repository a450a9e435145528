package dev.glomers.workload.linkv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.sim.SimulatedClients;
import dev.glomers.sim.Simulation;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The workbench's majorities ring on five nodes (n0 - n1 - n2 - n3 - n4 - n0): each node hears only its two
 * ring neighbours, so the leader reaches two followers only through a neighbour they share, and nothing
 * those two say reaches it directly either. Operations invoked during the ring must be served about as
 * well as those invoked before it, linearizably, and passing on must end with the heal.
 * Before the leader sent appends around a follower it heard in no way, about 0.86 of the healthy fraction.
 */
class LinKvFiveNodeRingTest {

    /** Each node drops what comes from the two nodes that are not its ring neighbours. */
    static Map<String, Set<String>> fiveNodeRing() {
        List<String> ring = List.of("n0", "n1", "n2", "n3", "n4");
        Map<String, Set<String>> grudge = new TreeMap<>();
        for (int i = 0; i < ring.size(); i++) {
            Set<String> dropped = new HashSet<>(ring);
            dropped.remove(ring.get(i));
            dropped.remove(ring.get((i + 1) % ring.size()));
            dropped.remove(ring.get((i + ring.size() - 1) % ring.size()));
            grudge.put(ring.get(i), dropped);
        }
        return grudge;
    }

    /** Served: answered from the state machine (ok, or 20 / 22 as applying decided); the rest is 11 or a timeout. */
    private static double servedFraction(List<SimulatedClients.Call> calls) {
        long served = calls.stream().filter(call -> !call.timedOut()
                && (!call.reply().type().equals("error") || List.of(20, 22).contains(call.reply().body().path("code").asInt())))
                .count();
        return (double) served / calls.size();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void aFiveNodeRingIsServedAlmostAsWellAsAHealthyNetwork(long seed) {
        try (Simulation sim = Simulation.start("lin-kv", 5, seed)) {
            sim.latency(Duration.ofMillis(1), Simulation.Latency.EXPONENTIAL);
            sim.runFor(Duration.ofSeconds(3)); // the first election
            SimulatedClients load = SimulatedClients.atRate(sim, 20, 50, Duration.ofSeconds(1),
                    random -> LinKvHistory.nextRequest(random, 3));
            sim.runFor(Duration.ofSeconds(10));
            long ringFrom = sim.time().millis();
            long messagesBefore = sim.serverMessages();
            sim.grudge(fiveNodeRing());
            sim.runFor(Duration.ofSeconds(15));
            long ringUntil = sim.time().millis();
            long ringMessages = sim.serverMessages() - messagesBefore;
            sim.heal();
            sim.runFor(Duration.ofSeconds(3)); // the direct ways are tried at least every 4 heartbeat intervals
            AtomicLong passedOn = new AtomicLong();
            sim.observe(m -> {
                if (m.type().equals("relay") || m.type().equals("bundle") && m.body().toString().contains("\"relay\"")) {
                    passedOn.incrementAndGet();
                }
            });
            sim.runFor(Duration.ofSeconds(3));
            assertThat(passedOn.get()).as("seed %d: messages passed on 3-6 s after the heal", seed).isZero();
            load.stop();
            sim.runFor(Duration.ofSeconds(2));

            List<SimulatedClients.Call> calls = load.calls();
            LinKvHistory.assertLinearizable(calls, seed);
            List<SimulatedClients.Call> before = calls.stream().filter(c -> c.invokedAt() < ringFrom).toList();
            List<SimulatedClients.Call> during = calls.stream()
                    .filter(c -> c.invokedAt() >= ringFrom && c.invokedAt() < ringUntil).toList();
            double healthy = servedFraction(before);
            double ring = servedFraction(during);
            System.err.printf("lin-kv five-node ring, seed %d: served %.3f before, %.3f during (%d calls, %.2f msgs/op)%n",
                    seed, healthy, ring, during.size(), (double) ringMessages / during.size());
            assertThat(ring / healthy).as("seed %d: served during the ring against before it", seed).isGreaterThanOrEqualTo(0.9);
        }
    }
}
