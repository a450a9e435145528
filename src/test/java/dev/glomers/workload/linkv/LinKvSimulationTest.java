package dev.glomers.workload.linkv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Body;
import dev.glomers.node.CoreDriver;
import dev.glomers.node.Message;
import dev.glomers.node.Node;
import dev.glomers.node.RpcError;
import dev.glomers.raft.RaftProperties;
import dev.glomers.retry.Backoff;
import dev.glomers.retry.Retries;
import dev.glomers.sim.SimulatedClients;
import dev.glomers.sim.Simulation;
import io.github.resilience4j.retry.Retry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole lin-kv nodes in virtual time: answers as the workbench defines them, elections that settle,
 * and hundreds of seeded runs under loss, duplication, reordering and partitions whose client
 * histories must be linearizable per key.
 */
class LinKvSimulationTest {

    /** The product's settings and retry policy, read once from application.yml through Spring. */
    private static RaftProperties settings;
    private static Retry reforward;

    @BeforeAll
    static void productSettings() {
        try (Simulation sim = Simulation.start("lin-kv", 1, 0)) {
            settings = sim.bean("n0", RaftProperties.class);
            reforward = sim.bean("n0", Retries.class).policy(LinKvWorkload.REFORWARD);
        }
    }

    /** Nodes built exactly as {@link LinKvWorkload} builds them, without a Spring context each (hundreds of runs). */
    private static Simulation cluster(int nodes, long seed) {
        return Simulation.startWired(nodes, seed,
                node -> CoreDriver.drive(node, () -> LinKvWorkload.core(node, settings, new Backoff(reforward))));
    }

    private static int code(CompletableFuture<Message> reply) {
        return reply.getNow(null).body().path("code").asInt(-1);
    }

    @Test
    void springWiredNodesAnswerAsTheWorkbenchDefines() {
        try (Simulation sim = Simulation.start("lin-kv", 3, 5)) {
            sim.latency(Duration.ofMillis(2), Simulation.Latency.EXPONENTIAL);
            sim.runFor(Duration.ofSeconds(2)); // an election
            var missing = sim.request("n0", "{\"type\":\"read\",\"key\":1}");
            var casMissing = sim.request("n1", "{\"type\":\"cas\",\"key\":1,\"from\":0,\"to\":1}");
            sim.runFor(Duration.ofSeconds(1)); // a batching window or two
            var write = sim.request("n2", "{\"type\":\"write\",\"key\":1,\"value\":3}");
            sim.runFor(Duration.ofSeconds(1)); // a batching window or two
            var casWrong = sim.request("n0", "{\"type\":\"cas\",\"key\":1,\"from\":0,\"to\":1}");
            var casRight = sim.request("n1", "{\"type\":\"cas\",\"key\":1,\"from\":3,\"to\":4}");
            sim.runFor(Duration.ofSeconds(1)); // a batching window or two
            var read = sim.request("n2", "{\"type\":\"read\",\"key\":1}");
            var nonsense = sim.request("n2", "{\"type\":\"txn\",\"txn\":[]}");
            var malformed = sim.request("n2", "{\"type\":\"write\",\"key\":1}");
            sim.runFor(Duration.ofSeconds(1)); // a batching window or two

            assertThat(code(missing)).isEqualTo(20);
            assertThat(code(casMissing)).isEqualTo(20);
            assertThat(write.getNow(null).type()).isEqualTo("write_ok");
            assertThat(code(casWrong)).isEqualTo(22);
            assertThat(casRight.getNow(null).type()).isEqualTo("cas_ok");
            assertThat(read.getNow(null).body().path("value").asInt()).isEqualTo(4);
            assertThat(read.getNow(null).body().size()).as("read_ok carries exactly type, value, in_reply_to").isEqualTo(3);
            assertThat(code(nonsense)).isEqualTo(10);
            assertThat(code(malformed)).isEqualTo(12);
        }
    }

    @Test
    void electionsSettleAndAnIdleClusterSendsOnlySparseHeartbeats() {
        for (long seed = 1; seed <= 5; seed++) {
            try (Simulation sim = cluster(5, seed)) {
                sim.latency(Duration.ofMillis(5), Simulation.Latency.EXPONENTIAL);
                List<String> electionsAfterSettling = new ArrayList<>();
                boolean[] settled = {false};
                sim.observe(message -> {
                    if (settled[0] && message.type().equals("request_vote")) {
                        electionsAfterSettling.add(message.src());
                    }
                });
                sim.runFor(Duration.ofSeconds(3));
                settled[0] = true;
                var write = sim.request("n3", "{\"type\":\"write\",\"key\":0,\"value\":1}");
                sim.runFor(Duration.ofSeconds(1));
                assertThat(write.getNow(null).type()).isEqualTo("write_ok");

                long before = sim.serverMessages();
                int idleSeconds = 20;
                sim.runFor(Duration.ofSeconds(idleSeconds));
                long perSecond = (sim.serverMessages() - before) / idleSeconds;
                // One empty append per follower per heartbeat interval and its answer (the leader must know the
                // follower hears it): no elections, no relaying, nothing else.
                long budget = 4 * 2 * 1000 / settings.heartbeatInterval().toMillis();
                assertThat(perSecond).as("seed %d", seed).isLessThanOrEqualTo(budget);
                assertThat(electionsAfterSettling).as("seed %d", seed).isEmpty();
            }
        }
    }

    /**
     * The workbench's majorities-ring partition of three nodes: every link works one way only, so no two
     * nodes hear each other directly. Appends to the follower the leader does not hear, and that
     * follower's answers, go through the third node; votes go all ways. The cluster keeps a leader and
     * serves, linearizably.
     */
    @Test
    void aMajoritiesRingOfOneWayLinksStillServes() {
        for (long run = 1; run <= 3; run++) {
            long seed = run;
            try (Simulation sim = cluster(3, seed)) {
                sim.latency(Duration.ofMillis(1), Simulation.Latency.EXPONENTIAL);
                sim.runFor(Duration.ofSeconds(3));
                sim.grudge(Map.of("n0", java.util.Set.of("n1"), "n1", java.util.Set.of("n2"), "n2", java.util.Set.of("n0")));
                SimulatedClients load = SimulatedClients.atRate(sim, 12, 30, Duration.ofSeconds(1), random -> LinKvHistory.nextRequest(random, 3));
                sim.runFor(Duration.ofSeconds(8));
                load.stop();
                sim.runFor(Duration.ofSeconds(2));
                List<SimulatedClients.Call> calls = load.calls();
                LinKvHistory.assertLinearizable(calls, seed);
                LinKvHistory.Tally tally = LinKvHistory.tally(calls);
                assertThat((double) tally.ok() / tally.total()).as("seed %d: %s", seed, tally).isGreaterThan(0.4);
            }
        }
    }

    /** A deliberately broken lin-kv: every node serves its own copy of the keys and replicates nothing. */
    private static void unreplicatedNode(Node node) {
        Map<Integer, Integer> values = new HashMap<>();
        node.handle("read", ObjectNode.class, (request, body) -> {
            Integer value = values.get(body.path("key").asInt());
            if (value == null) {
                throw new RpcError(20, "key does not exist");
            }
            node.reply(request, new ReadOk("read_ok", value));
        });
        node.handle("write", ObjectNode.class, (request, body) -> {
            values.put(body.path("key").asInt(), body.path("value").asInt());
            node.reply(request, Body.of("write_ok"));
        });
        node.handle("cas", ObjectNode.class, (request, body) -> {
            Integer value = values.get(body.path("key").asInt());
            if (value == null) {
                throw new RpcError(20, "key does not exist");
            }
            if (value != body.path("from").asInt()) {
                throw new RpcError(22, "precondition failed");
            }
            values.put(body.path("key").asInt(), body.path("to").asInt());
            node.reply(request, Body.of("cas_ok"));
        });
    }

    private record ReadOk(String type, int value) implements Body {
    }

    /** The check the simulation tests rely on must be able to fail: unreplicated nodes are caught. */
    @Test
    void theLinearizabilityCheckRejectsUnreplicatedNodes() {
        try (Simulation sim = Simulation.startWired(3, 1, LinKvSimulationTest::unreplicatedNode)) {
            SimulatedClients load = SimulatedClients.atRate(sim, 6, 100, Duration.ofSeconds(1),
                    random -> LinKvHistory.nextRequest(random, 3));
            sim.runFor(Duration.ofSeconds(3));
            load.stop();
            sim.runFor(Duration.ofSeconds(1));
            assertThatThrownBy(() -> LinKvHistory.assertLinearizable(load.calls(), 1))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("cannot take effect");
        }
    }

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 200);
    }

    private static final List<LinKvHistory.Tally> tallies = Collections.synchronizedList(new ArrayList<>());

    /**
     * Each seed: 3 or 5 nodes, exponential latency (reordering), 3 % loss, 3 % duplicates, partitions
     * that come and heal, about 6 s of client load; the history must be linearizable per key.
     */
    @ParameterizedTest
    @MethodSource("seeds")
    void historiesUnderFaultsAreLinearizable(long seed) {
        int nodes = seed % 2 == 0 ? 3 : 5;
        try (Simulation sim = cluster(nodes, seed)) {
            sim.latency(Duration.ofMillis(3), Simulation.Latency.EXPONENTIAL).dropRate(0.03).duplicateRate(0.03);
            sim.runFor(Duration.ofSeconds(1));
            SimulatedClients load = SimulatedClients.atRate(sim, 2 * nodes, 100, Duration.ofSeconds(1),
                    random -> LinKvHistory.nextRequest(random, 3));
            for (int phase = 0; phase < 6; phase++) {
                sim.partitionOrHealAtRandom();
                sim.runFor(Duration.ofMillis(500 + sim.random().nextInt(1000)));
            }
            sim.heal();
            load.stop();
            sim.runFor(Duration.ofSeconds(2));

            List<SimulatedClients.Call> calls = load.calls();
            LinKvHistory.assertLinearizable(calls, seed);
            LinKvHistory.Tally tally = LinKvHistory.tally(calls);
            tallies.add(tally);
            assertThat(tally.ok() + tally.failed()).as("seed %d: some calls got answers: %s", seed, tally).isPositive();
        }
    }
}
