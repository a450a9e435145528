package dev.glomers.workload.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.node.Message;
import dev.glomers.sim.Simulation;
import dev.glomers.sim.Simulation.Latency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The shipped broadcast nodes (Spring wiring, {@link BroadcastCore}, the core driver) in the
 * deterministic simulation: 25 nodes, the workbench's 100 ms latency, partitions that heal, drops,
 * every timing property asserted in virtual time.
 */
class BroadcastSimulationTest {

    private static final Duration LATENCY = Duration.ofMillis(100);

    /**
     * A client load: values broadcast at random nodes; when each was acknowledged and when it was on
     * every node (virtual ms, checked every 10 ms while the load runs).
     */
    private static final class Load {
        final Simulation sim;
        final List<BroadcastCore> cores;
        final Map<Long, Long> acknowledgedAt = new LinkedHashMap<>();
        final Map<Long, String> origin = new LinkedHashMap<>();
        final Map<Long, Long> everywhereAt = new LinkedHashMap<>();
        long nextValue;

        Load(Simulation sim) {
            this.sim = sim;
            this.cores = sim.nodeIds().stream().map(node -> sim.bean(node, BroadcastWorkload.class).core()).toList();
        }

        /** {@code count} broadcasts spread uniformly over the next {@code span}, to nodes that {@code to} accepts. */
        void broadcasts(int count, Duration span, Predicate<String> to) {
            List<String> nodes = sim.nodeIds().stream().filter(to).toList();
            for (int i = 0; i < count; i++) {
                long value = nextValue++;
                String node = nodes.get(sim.random().nextInt(nodes.size()));
                origin.put(value, node);
                sim.after(Duration.ofMillis(sim.random().nextInt((int) span.toMillis())), () ->
                        sim.request(node, "{\"type\":\"broadcast\",\"message\":" + value + "}").thenAccept(reply -> {
                            assertThat(reply.type()).isEqualTo("broadcast_ok");
                            acknowledgedAt.put(value, sim.time().millis());
                        }));
            }
        }

        void run(Duration duration) {
            long end = sim.time().millis() + duration.toMillis();
            while (sim.time().millis() < end) {
                sim.runFor(Duration.ofMillis(Math.min(10, end - sim.time().millis())));
                noteValuesEverywhere();
            }
        }

        private void noteValuesEverywhere() {
            for (long value : acknowledgedAt.keySet()) {
                if (!everywhereAt.containsKey(value) && cores.stream().allMatch(core -> core.holds(value))) {
                    everywhereAt.put(value, sim.time().millis());
                }
            }
        }

        /** Runs until every broadcast is acknowledged and on every node, at most {@code limit}. */
        void runUntilEverywhere(Duration limit) {
            long end = sim.time().millis() + limit.toMillis();
            while (everywhereAt.size() < origin.size() && sim.time().millis() < end) {
                run(Duration.ofMillis(10));
            }
            assertThat(acknowledgedAt).as("every broadcast acknowledged").hasSameSizeAs(origin);
            assertThat(everywhereAt.keySet()).as("values on every node").containsExactlyInAnyOrderElementsOf(origin.keySet());
        }

        /** The longest time a value took to be everywhere after its acknowledgement (or after {@code notBefore}, if later). */
        long slowest(long notBefore) {
            return everywhereAt.entrySet().stream()
                    .mapToLong(entry -> entry.getValue() - Math.max(acknowledgedAt.get(entry.getKey()), notBefore))
                    .max().orElseThrow();
        }
    }

    private static Set<Long> valuesAt(Simulation sim, String node) {
        return new HashSet<>(sim.bean(node, BroadcastWorkload.class).core().values());
    }

    /** Once converged and after the last bare acknowledgements, a minute of virtual time passes without a message. */
    private static void assertSilentWhenIdle(Simulation sim) {
        sim.runFor(Duration.ofSeconds(5));
        long settled = sim.serverMessages();
        sim.runFor(Duration.ofMinutes(1));
        assertThat(sim.serverMessages() - settled).as("messages while idle").isZero();
        for (String node : sim.nodeIds()) {
            BroadcastCore core = sim.bean(node, BroadcastWorkload.class).core();
            assertThat(core.retained()).as("entries kept on " + node).isZero();
            assertThat(core.wakeAt()).as("an idle node asks for no tick: " + node).isEqualTo(Long.MAX_VALUE);
        }
    }

    @Test
    void everyValueReachesEveryNodeWithinAWindowAndTwoHopsWithinTheMessageBudget() {
        try (Simulation sim = Simulation.start("broadcast", 25, 1)) {
            sim.latency(LATENCY, Latency.CONSTANT);
            Load load = new Load(sim);
            load.broadcasts(200, Duration.ofSeconds(3), node -> true);
            load.run(Duration.ofSeconds(3));
            long windows = Duration.ofSeconds(3).toMillis() / 150;
            // Per 150 ms window: one relay message to each of the 24 leaves, at most one uplink per leaf;
            // bare acknowledgements only from leaves that sent nothing to the hub for a second.
            long relays = windows * 24;
            long uplinks = Math.min(200, windows * 24);
            assertThat(sim.serverMessages()).as("server messages for 200 values").isBetween(relays - 24, relays + uplinks + 3 * 24);
            load.runUntilEverywhere(Duration.ofSeconds(1));
            // Acknowledged when the leaf's window closed (group commit): then one uplink hop, the hub's
            // phase and lingering (20 + 60 ms past the uplinks' arrival), one relay hop.
            assertThat(load.slowest(0)).as("slowest value, after its acknowledgement").isLessThanOrEqualTo(100 + 20 + 60 + 100);
            assertSilentWhenIdle(sim);
        }
    }

    @Test
    void broadcastsAreAnsweredWhenTheirWindowClosesAndReadsReturnEveryValue() {
        try (Simulation sim = Simulation.start("broadcast", 3, 2)) {
            sim.latency(LATENCY, Latency.CONSTANT);
            sim.runFor(Duration.ofMillis(1 + sim.random().nextInt(1000)));
            long sentAt = sim.time().millis();
            CompletableFuture<Message> ok = sim.request("n2", "{\"type\":\"broadcast\",\"message\":7}");
            sim.runUntil(ok::isDone, Duration.ofMillis(200));
            assertThat(sim.time().millis() - sentAt).as("answered when the 150 ms uplink window closes").isLessThanOrEqualTo(150);
            assertThat(sim.time().millis() % 150).as("on the clock multiple").isZero();
            assertThat(ok.getNow(null).body().size()).as("only type and in_reply_to").isEqualTo(2);

            sim.runFor(Duration.ofSeconds(1));
            for (String node : sim.nodeIds()) {
                CompletableFuture<Message> read = sim.request(node, "{\"type\":\"read\"}");
                sim.runFor(Duration.ofMillis(1));
                JsonNode body = read.getNow(null).body();
                assertThat(body.size()).as("only type, messages and in_reply_to").isEqualTo(3);
                assertThat(body.get("messages").toString()).isEqualTo("[7]");
            }
            CompletableFuture<Message> topology = sim.request("n1", "{\"type\":\"topology\",\"topology\":{\"n1\":[\"n2\"]}}");
            sim.runFor(Duration.ofMillis(1));
            assertThat(topology.getNow(null).type()).isEqualTo("topology_ok");
        }
    }

    @Test
    void afterAPartitionThatCutsTheHubOffHealsEveryValueIsEverywhereWithinTheRedeliveryBound() {
        try (Simulation sim = Simulation.start("broadcast", 25, 3)) {
            sim.latency(LATENCY, Latency.CONSTANT);
            List<String> hubSide = List.of("n0", "n1", "n2", "n3", "n4");
            List<String> otherSide = sim.nodeIds().stream().filter(node -> !hubSide.contains(node)).toList();
            sim.partition(hubSide);
            Load load = new Load(sim);
            load.broadcasts(100, Duration.ofSeconds(5), node -> true);
            load.run(Duration.ofSeconds(5));
            // Cut off from the hub, the other side shares its values by itself (fallback fan-out): what
            // was acknowledged 3 s ago (a missed deadline plus a fallback window) is on that whole side.
            long settled = sim.time().millis() - 3000;
            load.acknowledgedAt.forEach((value, at) -> {
                if (at < settled && otherSide.contains(load.origin.get(value))) {
                    otherSide.forEach(node -> assertThat(valuesAt(sim, node)).as(value + " on " + node).contains(value));
                }
            });
            sim.heal();
            long healedAt = sim.time().millis();
            load.runUntilEverywhere(Duration.ofSeconds(5));
            // A suspect peer gets a redelivery at least every ack-timeout + max-wait (2 s + 1 s); then one
            // hop, and for values that reached only the hub, its window, lingering and one more hop.
            assertThat(load.slowest(healedAt)).as("slowest value after the heal").isLessThanOrEqualTo(3000 + 100 + 150 + 60 + 100);
            assertSilentWhenIdle(sim);
        }
    }

    @Test
    void dropsDuplicatesReorderingAndPartitionsComingAndGoingStillConvergeAfterTheLastHeal() {
        try (Simulation sim = Simulation.start("broadcast", 25, 4)) {
            sim.latency(LATENCY, Latency.EXPONENTIAL).dropRate(0.05).duplicateRate(0.05);
            Load load = new Load(sim);
            load.broadcasts(100, Duration.ofSeconds(6), node -> true);
            for (int cut = 0; cut < 3; cut++) {
                List<String> side = new ArrayList<>(sim.nodeIds());
                Collections.shuffle(side, sim.random());
                sim.partition(side.subList(0, 12));
                load.run(Duration.ofMillis(1000));
                sim.heal();
                load.run(Duration.ofMillis(1000));
            }
            long healedAt = sim.time().millis();
            // The workbench waits 10 s after the last heal before its final reads; a lost redelivery
            // costs one more ack-timeout + max-wait.
            load.runUntilEverywhere(Duration.ofSeconds(10));
            assertThat(load.slowest(healedAt)).isLessThanOrEqualTo(6500);
            sim.dropRate(0).duplicateRate(0);
            assertSilentWhenIdle(sim);
        }
    }

    @Test
    void theFrugalProfileSendsOneRelayPerLeafPerWindowAndAnswersOnReceipt() {
        try (Simulation sim = Simulation.start("broadcast,frugal", 25, 5)) {
            sim.latency(LATENCY, Latency.CONSTANT);
            Load load = new Load(sim);
            load.broadcasts(200, Duration.ofSeconds(4), node -> true);
            load.run(Duration.ofSeconds(4));
            long windows = Duration.ofSeconds(4).toMillis() / 800;
            // Per 800 ms window: a relay to each of the 24 leaves and an uplink from each leaf that got a value.
            assertThat(sim.serverMessages()).isBetween((windows - 1) * 24, windows * 24 * 2);
            load.runUntilEverywhere(Duration.ofSeconds(3));
            // On receipt: answered at once; then the leaf's window, a hop, the hub's phase and lingering, a hop.
            assertThat(load.slowest(0)).isLessThanOrEqualTo(800 + 100 + 30 + 250 + 100);
            assertSilentWhenIdle(sim);
        }
    }

    @Test
    void aTreeWithFanOutTwoAndASingleNodeBothServeEveryValue() {
        try (Simulation sim = Simulation.start("broadcast", 7, 6, "--glomers.broadcast.fan-out=2")) {
            sim.latency(LATENCY, Latency.UNIFORM);
            Load load = new Load(sim);
            load.broadcasts(50, Duration.ofSeconds(2), node -> true);
            load.run(Duration.ofSeconds(2));
            load.runUntilEverywhere(Duration.ofSeconds(3));
            assertSilentWhenIdle(sim);
        }
        try (Simulation sim = Simulation.start("broadcast", 1, 7)) {
            Load load = new Load(sim);
            load.broadcasts(10, Duration.ofSeconds(1), node -> true);
            load.run(Duration.ofSeconds(1));
            load.runUntilEverywhere(Duration.ofMillis(1));
            assertThat(sim.serverMessages()).as("a node alone talks to nobody").isZero();
        }
    }

    @Test
    void memoryStaysFlatUnderASteadyLoad() {
        try (Simulation sim = Simulation.start("broadcast", 25, 8)) {
            sim.latency(LATENCY, Latency.CONSTANT);
            Load load = new Load(sim);
            load.broadcasts(1000, Duration.ofSeconds(5), node -> true);
            int mostRetained = 0;
            for (int step = 0; step < 50; step++) {
                load.run(Duration.ofMillis(100));
                mostRetained = Math.max(mostRetained, load.cores.stream().mapToInt(BroadcastCore::retained).max().orElseThrow());
            }
            // 200 values a second: the hub holds what it relayed until every leaf acknowledged it, at the
            // latest by a bare acknowledgement after ack-delay (1 s + a window + a round trip: about 270
            // values), never the whole history.
            assertThat(mostRetained).isLessThan(300);
            load.runUntilEverywhere(Duration.ofSeconds(1));
        }
    }
}
