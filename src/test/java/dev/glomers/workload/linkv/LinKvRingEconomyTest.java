package dev.glomers.workload.linkv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.node.Message;
import dev.glomers.sim.SimulatedClients;
import dev.glomers.sim.Simulation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The message cost of the workbench's majorities-ring partition of three nodes (every link one way only,
 * so the leader's appends to one follower and the other follower's updates go through a third node), on
 * the rate-30 line, in virtual time with loopback-like latency: passing messages on must cost
 * no more per operation than the whole partitioned line may (1.0), and once the ring heals the direct
 * ways are found again and passing on stops.
 */
class LinKvRingEconomyTest {

    /** {n0: [n1], n1: [n2], n2: [n0]}: each node drops what comes from one other; n0 -> n1 -> n2 -> n0 work. */
    private static final Map<String, Set<String>> RING = Map.of("n0", Set.of("n1"), "n1", Set.of("n2"), "n2", Set.of("n0"));

    private static boolean passedOn(Message m) {
        return m.type().equals("relay") || m.type().equals("bundle") && m.body().toString().contains("\"relay\"");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void aRingCostsAFrugalNodeAtMostOneMessagePerOperationAndEndsWithTheHeal(long seed) {
        try (Simulation sim = Simulation.start("lin-kv,frugal", 3, seed)) {
            sim.latency(Duration.ofNanos(500_000), Simulation.Latency.EXPONENTIAL);
            sim.runFor(Duration.ofSeconds(3)); // the first election
            AtomicLong passed = new AtomicLong();
            sim.observe(m -> {
                if (passedOn(m)) {
                    passed.incrementAndGet();
                }
            });
            sim.grudge(RING);
            long before = sim.serverMessages();
            SimulatedClients load = SimulatedClients.atRate(sim, 12, 30, Duration.ofSeconds(1), random -> LinKvHistory.nextRequest(random, 3));
            sim.runFor(Duration.ofSeconds(20));
            long ringMessages = sim.serverMessages() - before;
            int ringCalls = load.calls().size();
            assertThat(passed.get()).as("the ring is gone around").isPositive();

            sim.heal();
            sim.runFor(Duration.ofSeconds(3)); // the direct ways are tried at least every 4 heartbeat intervals
            long passedBeforeQuiet = passed.get();
            sim.runFor(Duration.ofSeconds(3));
            load.stop();
            assertThat(passed.get()).as("messages passed on 3-6 s after the heal").isEqualTo(passedBeforeQuiet);

            List<SimulatedClients.Call> ring = load.calls().subList(0, ringCalls);
            long ok = ring.stream().filter(call -> !call.timedOut() && call.reply().type().endsWith("_ok")).count();
            double msgsPerOp = (double) ringMessages / ringCalls;
            System.err.printf("lin-kv majorities ring, seed %d: %.3f msgs/op, %d of %d ok%n", seed, msgsPerOp, ok, ringCalls);
            assertThat(msgsPerOp).isLessThanOrEqualTo(1.0);
            assertThat((double) ok / ringCalls).isGreaterThanOrEqualTo(0.4);
        }
    }
}
