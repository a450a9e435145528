package dev.glomers.workload.txn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.check.TxnChecker;
import dev.glomers.cluster.check.TxnOp;
import dev.glomers.cluster.load.TxnGenerator;
import dev.glomers.node.Message;
import dev.glomers.node.Wire;
import dev.glomers.sim.SimulatedClients;
import dev.glomers.sim.Simulation;
import dev.glomers.sim.Simulation.Latency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole txn-rw-register nodes, wired by Spring as shipped, in the deterministic simulation: client
 * load in virtual time, drops, duplicates, reordering and partitions that heal. Ground truth comes
 * from the wire: every replicated transaction names its version (Lamport clock + origin), so the
 * test knows the true version of every value it reads.
 */
class TxnSimulationTest {

    /** application.yml's txn timing, restated here so that a change there is a decision, not an accident. */
    private static final long BATCH_INTERVAL = 50;
    private static final long ACK_DELAY = 100;
    private static final long ACK_TIMEOUT = 300;

    /** Transactions of the workbench's shape from closed-loop clients, each bound to one node; every outcome in the history. */
    private static final class Load {
        final TxnGenerator generator;
        final List<TxnOp> history = new ArrayList<>();
        final SimulatedClients clients;
        int failures;

        Load(Simulation sim, long seed, int perNode, long thinkMillis) {
            this.generator = TxnGenerator.defaults(seed);
            this.clients = SimulatedClients.closedLoop(sim, perNode, Duration.ofMillis(thinkMillis), (process, node) -> {
                List<MicroOp> ops = generator.next();
                ObjectNode request = Wire.JSON.createObjectNode();
                request.put("type", "txn");
                request.set("txn", MicroOp.toJson(ops));
                return sim.request(node, request).thenAccept(reply -> {
                    if ("txn_ok".equals(reply.type())) {
                        history.add(new TxnOp(process, TxnOp.Status.OK, MicroOp.parseAll(reply.body().get("txn"))));
                    } else {
                        failures++;
                        history.add(new TxnOp(process, TxnOp.Status.INFO, ops));
                    }
                });
            });
        }
    }

    /** Every transaction replicated on the wire: version by "key=value", and writes by version. */
    private static final class Versions {
        final Map<String, Version> ofValue = new HashMap<>();
        final Map<Version, List<String>> keysWritten = new HashMap<>();

        void observe(Message message) {
            if (!"txn_replicate".equals(message.type())) {
                return;
            }
            for (JsonNode txn : message.body().path("txns")) {
                Version version = new Version(txn.get("clock").asLong(), message.src());
                List<String> keys = new ArrayList<>();
                for (JsonNode write : txn.get("writes")) {
                    ofValue.put(write.get(0) + "=" + write.get(1), version);
                    keys.add(write.get(0).toString());
                }
                keysWritten.put(version, keys);
            }
        }
    }

    private static JsonNode txn(Simulation sim, String node, String ops) {
        CompletableFuture<Message> reply = sim.request(node, "{\"type\":\"txn\",\"txn\":" + ops + "}");
        sim.runFor(Duration.ofMillis(1));
        return reply.getNow(null).body();
    }

    /** One transaction reading every key in {@code keys} on {@code node}: its registers as the client sees them. */
    private static JsonNode readAll(Simulation sim, String node, TreeSet<Long> keys) {
        StringBuilder reads = new StringBuilder("[");
        keys.forEach(key -> reads.append(reads.length() > 1 ? "," : "").append("[\"r\",").append(key).append(",null]"));
        return txn(sim, node, reads.append(']').toString()).get("txn");
    }

    private static TreeSet<Long> keysOf(List<TxnOp> history) {
        TreeSet<Long> keys = new TreeSet<>();
        history.forEach(op -> op.txn().forEach(micro -> keys.add(micro.key().asLong())));
        return keys;
    }

    private static boolean converged(Simulation sim, TreeSet<Long> keys) {
        JsonNode first = readAll(sim, "n0", keys);
        return sim.nodeIds().stream().allMatch(node -> readAll(sim, node, keys).equals(first));
    }

    /** Runs until the replicas agree, looking every 10 ms, for at most {@code limit}; says whether they did. */
    private static boolean convergesWithin(Simulation sim, TreeSet<Long> keys, Duration limit) {
        long end = sim.time().elapsedNanos() + limit.toNanos();
        while (!converged(sim, keys)) {
            if (sim.time().elapsedNanos() >= end) {
                return false;
            }
            sim.runFor(Duration.ofMillis(10));
        }
        return true;
    }

    /**
     * Two nodes under the 6c load (two clients per node, about 1000 transactions a second) with a cut in
     * the middle: every request answered txn_ok, the history valid for every model we claim, the
     * replicas equal within one redelivery after the heal, and silent once they are.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void partitionedNodesAnswerEverythingStayReadCommittedConvergeAfterTheHealAndThenFallSilent(long seed) {
        try (Simulation sim = Simulation.start("txn-rw-register", 2, seed)) {
            sim.latency(Duration.ofMillis(5), Latency.EXPONENTIAL).dropRate(0.05).duplicateRate(0.05);
            Load load = new Load(sim, seed, 2, 4);
            sim.runFor(Duration.ofMillis(700));
            sim.partition(List.of("n0"));
            sim.runFor(Duration.ofMillis(700));
            sim.heal().dropRate(0);
            long healedAt = sim.time().millis();
            sim.runFor(Duration.ofMillis(300));
            load.clients.stop();
            long serverMessages = sim.serverMessages();

            assertThat(load.failures).as("total availability").isZero();
            assertThat(load.history).hasSizeGreaterThan(1000);
            TxnChecker.Result result = TxnChecker.check(load.history,
                    List.of("read-committed", "read-atomic", "strong-session-read-committed"));
            assertThat(result.anomalies()).isEmpty();
            assertThat(result.valid()).isTrue();
            assertThat((double) serverMessages / load.history.size()).as("server messages per transaction").isLessThanOrEqualTo(0.1);

            // Redelivery waits at most ack-timeout + the policy's longest wait (1 s) between attempts.
            TreeSet<Long> keys = keysOf(load.history);
            assertThat(convergesWithin(sim, keys, Duration.ofMillis(ACK_TIMEOUT + 1000 + 100)))
                    .as("converged within one redelivery after the heal").isTrue();
            assertThat(sim.time().millis() - healedAt).isLessThanOrEqualTo(ACK_TIMEOUT + 1000 + 100);

            // The last bare acknowledgements go out within ack-delay; after that, nothing at all.
            sim.runFor(Duration.ofMillis(ACK_DELAY + 50));
            long settled = sim.serverMessages();
            sim.runFor(Duration.ofSeconds(30));
            assertThat(sim.serverMessages()).as("an idle cluster sends nothing").isEqualTo(settled);
            assertThat(sim.time().pending()).as("and wakes for nothing").isZero();
        }
    }

    /** Without faults each node sends each peer at most one batch per batch interval, acknowledgements riding on them. */
    @ParameterizedTest
    @ValueSource(longs = {5, 6})
    void underSteadyLoadEachNodeSendsAtMostOneBatchPerIntervalAndNoBareAcknowledgements(long seed) {
        try (Simulation sim = Simulation.start("txn-rw-register", 2, seed)) {
            sim.latency(Duration.ofMillis(2), Latency.UNIFORM);
            List<Long> sentAt = new ArrayList<>();
            List<Message> bare = new ArrayList<>();
            sim.observe(message -> {
                if ("txn_replicate".equals(message.type())) {
                    sentAt.add(sim.time().millis());
                    if (message.body().path("txns").isEmpty()) {
                        bare.add(message);
                    }
                }
            });
            Load load = new Load(sim, seed, 2, 4);
            sim.runFor(Duration.ofSeconds(1));
            load.clients.stop();
            long window = 1000;
            assertThat(sentAt.size()).isLessThanOrEqualTo((int) (2 * (window / BATCH_INTERVAL + 1)));
            assertThat(bare).as("acknowledgements ride on batches under load").isEmpty();
            assertThat((double) sim.serverMessages() / load.history.size()).isLessThanOrEqualTo(0.05);
        }
    }

    /**
     * A node cut off from its peers keeps redelivering at the pace of the txn-replicate policy: each
     * attempt ack-timeout after the last, plus the policy's wait (100 ms doubling to 1 s); the heal
     * brings the peer up to date at the next attempt.
     */
    @Test
    void redeliveryToAnUnreachablePeerFollowsThePolicy() {
        try (Simulation sim = Simulation.start("txn-rw-register", 2, 9)) {
            sim.latency(Duration.ofMillis(10), Latency.CONSTANT);
            List<Long> sentAt = new ArrayList<>();
            sim.observe(message -> {
                if ("txn_replicate".equals(message.type()) && message.src().equals("n0")) {
                    sentAt.add(sim.time().millis());
                }
            });
            sim.partition(List.of("n0"));
            long start = sim.time().millis();
            txn(sim, "n0", "[[\"w\",1,1]]");
            sim.runFor(Duration.ofMillis(6_000));
            List<Long> gaps = new ArrayList<>();
            for (int i = 1; i < sentAt.size(); i++) {
                gaps.add(sentAt.get(i) - sentAt.get(i - 1));
            }
            assertThat(sentAt.get(0) - start).as("the batch").isBetween(BATCH_INTERVAL, BATCH_INTERVAL + 1);
            assertThat(gaps).startsWith(ACK_TIMEOUT + 100, ACK_TIMEOUT + 200, ACK_TIMEOUT + 400, ACK_TIMEOUT + 800, ACK_TIMEOUT + 1000);

            sim.heal();
            long healedAt = sim.time().millis();
            assertThat(sim.runUntil(() -> txn(sim, "n1", "[[\"r\",1,null]]").get("txn").toString().equals("[[\"r\",1,1]]"),
                    Duration.ofMillis(ACK_TIMEOUT + 1000 + 30))).isTrue();
            assertThat(sim.time().millis() - healedAt).isLessThanOrEqualTo(ACK_TIMEOUT + 1000 + 30);
        }
    }

    /**
     * Three nodes (each sends only its own transactions, so a third node may see them in either order)
     * under drops, duplicates, reordering and two partitions. Against the true versions: once a
     * transaction observed T, every key T wrote reads as T's version or a newer one (no fractured
     * reads), and a writing transaction is versioned after everything it observed (the Lamport
     * argument behind no G0 / G1c). Dropping the clock advance in TxnStore.merge fails this.
     */
    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void threeReplicasStayAtomicallyVisibleAndLamportOrdered(long seed) {
        try (Simulation sim = Simulation.start("txn-rw-register", 3, seed)) {
            Versions versions = new Versions();
            sim.observe(versions::observe);
            sim.latency(Duration.ofMillis(20), Latency.EXPONENTIAL).dropRate(0.1).duplicateRate(0.1);
            Load load = new Load(sim, seed, 1, 6);
            sim.runFor(Duration.ofMillis(400));
            sim.partition(List.of("n0"), List.of("n1"));
            sim.runFor(Duration.ofMillis(400));
            sim.partition(List.of("n0", "n1"));
            sim.runFor(Duration.ofMillis(400));
            sim.heal().dropRate(0);
            load.clients.stop();
            TreeSet<Long> keys = keysOf(load.history);
            assertThat(convergesWithin(sim, keys, Duration.ofSeconds(3))).isTrue();

            TxnChecker.Result result = TxnChecker.check(load.history, List.of("read-atomic", "strong-session-read-committed"));
            assertThat(result.anomalies()).isEmpty();
            assertThat(load.history).hasSizeGreaterThan(300);
            checkAtomicVisibility(load.history, versions);
        }
    }

    @Test
    void aSingleNodeFillsInReadsWithNullInsideTheArrayAndAnswersMalformedTransactionsWithTwelve() throws Exception {
        try (Simulation sim = Simulation.start("txn-rw-register", 1, 1)) {
            CompletableFuture<Message> first = sim.request("n0", "{\"type\":\"txn\",\"txn\":[[\"r\",1,null],[\"w\",1,6],[\"w\",2,9],[\"r\",1,null]]}");
            sim.runFor(Duration.ofMillis(1));
            assertThat(first.getNow(null).body()).as("null inside the array, no other field").isEqualTo(Wire.JSON.readTree(
                    "{\"type\":\"txn_ok\",\"txn\":[[\"r\",1,null],[\"w\",1,6],[\"w\",2,9],[\"r\",1,6]],\"in_reply_to\":"
                            + first.getNow(null).inReplyTo() + "}"));
            assertThat(txn(sim, "n0", "[[\"r\",2,null],[\"r\",3,null]]").get("txn").toString()).isEqualTo("[[\"r\",2,9],[\"r\",3,null]]");

            assertThat(txn(sim, "n0", "[[\"append\",1,2]]").path("code").asInt()).isEqualTo(12);
            assertThat(txn(sim, "n0", "5").path("code").asInt()).isEqualTo(12);
            assertThat(txn(sim, "n0", "[[\"r\",1,null]]").path("type").asText()).isEqualTo("txn_ok");
            sim.runFor(Duration.ofSeconds(10));
            assertThat(sim.serverMessages()).as("one node talks to nobody").isZero();
        }
    }

    private static void checkAtomicVisibility(List<TxnOp> history, Versions versions) {
        for (TxnOp op : history) {
            Map<String, Version> externalReads = new HashMap<>();
            Map<String, Boolean> ownWrite = new HashMap<>();
            List<Version> observed = new ArrayList<>();
            Version own = null;
            for (MicroOp micro : op.txn()) {
                String key = micro.key().toString();
                if (micro.isWrite()) {
                    ownWrite.put(key, true);
                    own = versions.ofValue.get(key + "=" + micro.value());
                } else if (!ownWrite.containsKey(key) && !externalReads.containsKey(key)) {
                    Version version = micro.value().isNull() ? null : versions.ofValue.get(key + "=" + micro.value());
                    assertThat(micro.value().isNull() || version != null).as("every value read was replicated: %s", micro).isTrue();
                    externalReads.put(key, version);
                    if (version != null) {
                        observed.add(version);
                    }
                }
            }
            for (Version seen : observed) {
                for (String key : versions.keysWritten.get(seen)) {
                    if (externalReads.containsKey(key)) {
                        Version read = externalReads.get(key);
                        assertThat(read != null && read.compareTo(seen) >= 0)
                                .as("fractured read: %s observed %s but read key %s at %s", op.txn(), seen, key, read)
                                .isTrue();
                    }
                }
                if (own != null) {
                    assertThat(own.isAfter(seen)).as("%s versioned %s after %s", op.txn(), own, seen).isTrue();
                }
            }
        }
    }
}
