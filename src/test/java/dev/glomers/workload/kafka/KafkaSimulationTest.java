package dev.glomers.workload.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Message;
import dev.glomers.node.Wire;
import dev.glomers.sim.SimulatedClients;
import dev.glomers.sim.Simulation;
import dev.glomers.sim.Simulation.Latency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole kafka nodes, wired by Spring as shipped, in the deterministic simulation with the runner's
 * lin-kv: offsets, replicas, owner suspicion, heartbeats and the write-behind of committed offsets,
 * all timed in virtual time.
 */
class KafkaSimulationTest {

    /** application.yml's kafka timing, restated so that a change there is a decision, not an accident. */
    private static final long RPC_TIMEOUT = 1000;
    private static final long HEARTBEAT_INTERVAL = 250;
    private static final long OWNER_SUSPECT_AFTER = 1000;
    private static final long COMMIT_FLUSH_INTERVAL = 500;
    private static final long ACK_TIMEOUT = 1000;
    private static final long LONGEST_REDELIVERY_WAIT = 200;

    private static String send(String key, long msg) {
        return "{\"type\":\"send\",\"key\":\"" + key + "\",\"msg\":" + msg + "}";
    }

    private static String poll(Map<String, Long> offsets) {
        ObjectNode body = Wire.JSON.createObjectNode();
        body.put("type", "poll");
        body.set("offsets", Wire.JSON.valueToTree(offsets));
        return body.toString();
    }

    /** A client request answered within a simulated second (every request here is), its body. */
    private static JsonNode call(Simulation sim, String node, String body) {
        CompletableFuture<Message> reply = sim.request(node, body);
        assertThat(sim.runUntil(reply::isDone, Duration.ofSeconds(5))).as("answered: " + body).isTrue();
        return reply.getNow(null).body();
    }

    /** Polls {@code key} on {@code node} from 0 to the end, as a consumer would: offset -> message. */
    private static TreeMap<Long, Long> pollAll(Simulation sim, String node, String key) {
        TreeMap<Long, Long> seen = new TreeMap<>();
        long next = 0;
        while (true) {
            JsonNode pairs = call(sim, node, poll(Map.of(key, next))).path("msgs").path(key);
            if (pairs.isMissingNode() || pairs.isEmpty()) {
                return seen;
            }
            for (JsonNode pair : pairs) {
                assertThat(pair.get(0).asLong()).as("in order, from the requested offset, without gaps").isEqualTo(next);
                seen.put(next, pair.get(1).asLong());
                next++;
            }
        }
    }

    private static void runUntil(Simulation sim, long millis) {
        sim.runFor(Duration.ofMillis(millis - sim.time().millis()));
    }

    private static String ownedBy(String node, List<String> nodes, int skip) {
        for (int i = 0; ; i++) {
            if (Ownership.owner("k" + i, nodes).equals(node) && skip-- == 0) {
                return "k" + i;
            }
        }
    }

    /** Sends from closed-loop clients bound to nodes: unique messages to random keys, every outcome kept. */
    private static final class Sends {
        final Map<Long, String> keyOf = new HashMap<>();
        final Map<Long, Long> acked = new HashMap<>();   // msg -> offset
        final Map<Long, Integer> failed = new HashMap<>(); // msg -> error code
        final SimulatedClients clients;
        long nextMsg;

        Sends(Simulation sim, List<String> keys, int perNode, long thinkMillis) {
            this.clients = SimulatedClients.closedLoop(sim, perNode, Duration.ofMillis(thinkMillis), (process, node) -> {
                long msg = nextMsg++;
                String key = keys.get(sim.random().nextInt(keys.size()));
                keyOf.put(msg, key);
                return sim.request(node, send(key, msg)).thenAccept(reply -> {
                    if ("send_ok".equals(reply.type())) {
                        acked.put(msg, reply.body().get("offset").asLong());
                    } else {
                        failed.put(msg, reply.body().path("code").asInt());
                    }
                });
            });
        }
    }

    @Test
    void aSingleNodeGivesIncreasingOffsetsPollsThemBackInBoundedBatchesAndTalksToNobody() {
        try (Simulation sim = Simulation.start("kafka", 1, 1, "--glomers.kafka.poll-max-per-key=10")) {
            Map<String, TreeMap<Long, Long>> acked = new HashMap<>();
            for (long i = 0; i < 60; i++) {
                String key = "k" + (i % 3);
                long offset = call(sim, "n0", send(key, i)).get("offset").asLong();
                TreeMap<Long, Long> keyAcked = acked.computeIfAbsent(key, k -> new TreeMap<>());
                if (!keyAcked.isEmpty()) {
                    assertThat(offset).as("strictly increasing per key").isGreaterThan(keyAcked.lastKey());
                }
                keyAcked.put(offset, i);
            }
            JsonNode pairs = call(sim, "n0", poll(Map.of("k0", 3L))).path("msgs").path("k0");
            assertThat(pairs).hasSize(10);
            assertThat(pairs.get(0).get(0).asLong()).isEqualTo(3);
            for (String key : acked.keySet()) {
                assertThat(pollAll(sim, "n0", key)).isEqualTo(acked.get(key));
            }
            sim.runFor(Duration.ofSeconds(10));
            assertThat(sim.serverMessages()).as("one node needs nobody for sends and polls").isZero();
        }
    }

    /**
     * Two nodes under sends to both, with drops, duplicates, reordering and a cut that heals: every
     * acknowledged message sits at its offset on both nodes within one redelivery of the heal, the logs
     * are equal, and a send refused with 11 is nowhere.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void afterAHealBothNodesHoldEveryAcknowledgedMessageAtItsOffsetAndNothingRefused(long seed) {
        try (Simulation sim = Simulation.start("kafka", 2, seed)) {
            sim.latency(Duration.ofMillis(5), Latency.EXPONENTIAL).dropRate(0.05).duplicateRate(0.05);
            List<String> keys = List.of("k0", "k1", "k2", "k3", "k4", "k5");
            Sends sends = new Sends(sim, keys, 2, 4);
            sim.runFor(Duration.ofMillis(800));
            sim.partition(List.of("n0"));
            sim.runFor(Duration.ofMillis(1500));
            sim.heal().dropRate(0);
            long healedAt = sim.time().millis();
            sim.runFor(Duration.ofMillis(300));
            sends.clients.stop();
            sim.runFor(Duration.ofMillis(RPC_TIMEOUT)); // the last forwards are answered or time out

            assertThat(sends.acked.size()).isGreaterThan(200);
            assertThat(sends.failed).as("refused while the owner was unreachable").containsValue(11);
            assertThat(sends.failed.values()).as("refused (11) or indefinite (0), nothing else").allMatch(code -> code == 11 || code == 0);

            // Converged within one redelivery of the heal: ack-timeout plus the policy's longest wait.
            assertThat(sim.runUntil(() -> keys.stream().allMatch(key -> pollAll(sim, "n0", key).equals(pollAll(sim, "n1", key))),
                    Duration.ofMillis(ACK_TIMEOUT + LONGEST_REDELIVERY_WAIT))).isTrue();
            assertThat(sim.time().millis() - healedAt).isLessThanOrEqualTo(RPC_TIMEOUT + 300 + ACK_TIMEOUT + LONGEST_REDELIVERY_WAIT);
            for (String key : keys) {
                TreeMap<Long, Long> log = pollAll(sim, "n0", key);
                assertThat(log.values()).as("no message twice").doesNotHaveDuplicates();
                log.forEach((offset, msg) -> {
                    assertThat(sends.keyOf.get(msg)).isEqualTo(key);
                    assertThat(sends.failed.getOrDefault(msg, -1)).as("a refused send is nowhere").isNotEqualTo(11);
                });
                sends.acked.forEach((msg, offset) -> {
                    if (sends.keyOf.get(msg).equals(key)) {
                        assertThat(log.get(offset)).as("acknowledged %d at %d", msg, offset).isEqualTo(msg);
                    }
                });
            }
        }
    }

    /** Everything a run shows from outside (each send's outcome, every message between nodes), for one seed. */
    private static List<String> runOnce(long seed) {
        List<String> seen = new ArrayList<>();
        try (Simulation sim = Simulation.start("kafka", 2, seed)) {
            sim.latency(Duration.ofMillis(5), Latency.EXPONENTIAL).dropRate(0.1).duplicateRate(0.1);
            sim.observe(message -> seen.add(sim.time().millis() + " " + message.src() + ">" + message.dest() + " " + message.type()));
            Sends sends = new Sends(sim, List.of("k0", "k1", "k2"), 2, 4);
            sim.runFor(Duration.ofMillis(300));
            sim.partition(List.of("n0"));
            sim.runFor(Duration.ofMillis(1200));
            sends.clients.stop();
            sim.heal().runFor(Duration.ofSeconds(2));
            seen.add("acked " + new TreeMap<>(sends.acked) + " failed " + new TreeMap<>(sends.failed));
        }
        return seen;
    }

    @Test
    void theSameSeedGivesTheSameRunAndAnotherSeedAnotherOne() {
        List<String> first = runOnce(21);
        assertThat(runOnce(21)).isEqualTo(first);
        assertThat(runOnce(22)).isNotEqualTo(first);
    }

    /**
     * An owner cut off is forwarded to (and its silence answered 0 at rpc-timeout) until it has not been
     * heard from for owner-suspect-after; then sends for its keys fail at once with 11, while the owner's
     * side goes on and the other side polls its replica, behind but right. After the heal, the
     * heartbeats bring it back within one heartbeat interval.
     */
    @ParameterizedTest
    @ValueSource(longs = {5, 6})
    void anUnreachableOwnerIsSuspectedAfterItsSilenceAndTrustedAgainAfterTheHeal(long seed) {
        try (Simulation sim = Simulation.start("kafka", 2, seed)) {
            sim.latency(Duration.ofMillis(10), Latency.CONSTANT);
            String key = ownedBy("n0", sim.nodeIds(), 0);
            assertThat(call(sim, "n1", send(key, 1)).get("offset").asLong()).isZero();
            sim.runFor(Duration.ofMillis(500)); // heartbeats going, the message replicated back to n1
            sim.partition(List.of("n0"));
            long cut = sim.time().millis();

            sim.runFor(Duration.ofMillis(OWNER_SUSPECT_AFTER - HEARTBEAT_INTERVAL - 50));
            CompletableFuture<Message> early = sim.request("n1", send(key, 2));
            sim.runFor(Duration.ofMillis(RPC_TIMEOUT - 1));
            assertThat(early).as("forwarded: waits for the owner").isNotDone();
            sim.runFor(Duration.ofMillis(1));
            assertThat(early.getNow(null).body().path("code").asInt()).as("indefinite, never a made-up offset").isZero();

            assertThat(sim.time().millis() - cut).isGreaterThan(OWNER_SUSPECT_AFTER);
            CompletableFuture<Message> refused = sim.request("n1", send(key, 3));
            sim.runFor(Duration.ofMillis(1));
            assertThat(refused.getNow(null).body().path("code").asInt()).as("owner known unreachable: definite").isEqualTo(11);

            assertThat(call(sim, "n0", send(key, 4)).get("offset").asLong()).as("the owner's side goes on").isEqualTo(1);
            assertThat(pollAll(sim, "n1", key)).containsExactly(Map.entry(0L, 1L));

            sim.heal();
            sim.runFor(Duration.ofMillis(HEARTBEAT_INTERVAL + 2 * 10 + 1));
            assertThat(call(sim, "n1", send(key, 5)).path("offset").asLong()).as("trusted again").isEqualTo(2);
            sim.runFor(Duration.ofMillis(300));
            // The early send may have landed (indefinite); the refused one never.
            TreeMap<Long, Long> onOwner = pollAll(sim, "n0", key);
            assertThat(onOwner).doesNotContainValue(3L).containsValues(1L, 4L, 5L);
            assertThat(pollAll(sim, "n1", key)).isEqualTo(onOwner);
        }
    }

    @Test
    void nodesTalkOnlyOnceClientsStartedAndWhenIdleOnlyOneHeartbeatExchangePerInterval() {
        try (Simulation sim = Simulation.start("kafka", 2, 7)) {
            sim.latency(Duration.ofMillis(10), Latency.CONSTANT);
            sim.runFor(Duration.ofSeconds(10));
            assertThat(sim.serverMessages()).as("a peer may not have had its init yet").isZero();

            call(sim, "n1", poll(Map.of()));
            sim.runFor(Duration.ofSeconds(1));
            long before = sim.serverMessages();
            Map<String, Integer> types = new HashMap<>();
            sim.observe(message -> types.merge(message.type(), 1, Integer::sum));
            sim.runFor(Duration.ofSeconds(10));
            long idle = sim.serverMessages() - before;
            // One empty batch and its answer per heartbeat interval (plus the round trip): whichever node is due first.
            assertThat(types.keySet()).containsOnly("kafka_replicate", "kafka_replicate_ok");
            assertThat(idle).isBetween(2 * (10_000 / (HEARTBEAT_INTERVAL + 2 * 10)) - 2, 2 * (10_000 / HEARTBEAT_INTERVAL) + 2);
        }
    }

    /** Under sends on both nodes to keys of both owners, replication rides on the forwards and their answers. */
    @ParameterizedTest
    @ValueSource(longs = {8, 9})
    void underLoadReplicationRidesOnForwardsAndTheirAnswers(long seed) {
        try (Simulation sim = Simulation.start("kafka", 2, seed)) {
            sim.latency(Duration.ofMillis(2), Latency.UNIFORM);
            List<String> keys = List.of(ownedBy("n0", sim.nodeIds(), 0), ownedBy("n0", sim.nodeIds(), 1),
                    ownedBy("n1", sim.nodeIds(), 0), ownedBy("n1", sim.nodeIds(), 1));
            Map<String, Integer> types = new HashMap<>();
            sim.observe(message -> types.merge(message.type(), 1, Integer::sum));
            Sends sends = new Sends(sim, keys, 2, 4);
            sim.runFor(Duration.ofMillis(1500));
            sends.clients.stop();
            assertThat(sends.acked.size()).isGreaterThan(800);
            assertThat(types.getOrDefault("kafka_replicate", 0)).as("batches of their own in 1.5 s: %s", types).isLessThanOrEqualTo(4);
            sim.runFor(Duration.ofMillis(1000));
            for (String key : keys) {
                assertThat(pollAll(sim, "n0", key)).isEqualTo(pollAll(sim, "n1", key));
            }
        }
    }

    // ---- committed offsets ----------------------------------------------------------------

    private static String commit(String offsetsJson) {
        return "{\"type\":\"commit_offsets\",\"offsets\":" + offsetsJson + "}";
    }

    private static String list(String... keys) {
        return "{\"type\":\"list_committed_offsets\",\"keys\":" + Wire.JSON.valueToTree(List.of(keys)) + "}";
    }

    @Test
    void committedOffsetsAreSharedThroughLinKvAndNeverGoBack() throws Exception {
        try (Simulation sim = Simulation.start("kafka", 2, 11)) {
            sim.latency(Duration.ofMillis(5), Latency.EXPONENTIAL);
            assertThat(call(sim, "n0", list("a")).get("offsets").size()).as("nothing committed yet").isZero();
            assertThat(call(sim, "n0", commit("{\"a\":5,\"b\":2}")).path("type").asText()).isEqualTo("commit_offsets_ok");
            assertThat(call(sim, "n0", list("a", "b", "c")).get("offsets")).isEqualTo(Wire.JSON.readTree("{\"a\":5,\"b\":2}"));

            call(sim, "n1", commit("{\"a\":3,\"b\":4}"));
            assertThat(call(sim, "n1", list("a", "b")).get("offsets")).as("a lower commit does not move an offset back")
                    .isEqualTo(Wire.JSON.readTree("{\"a\":5,\"b\":4}"));
            assertThat(call(sim, "n0", list("a", "b")).get("offsets")).isEqualTo(Wire.JSON.readTree("{\"a\":5,\"b\":4}"));
        }
    }

    /**
     * Write-behind: a commit is acknowledged at once and reaches lin-kv in one compare-and-set
     * commit-flush-interval later, with every commit made meanwhile; then nothing more is written.
     */
    @Test
    void commitsAreWrittenBehindOnceAFlushIntervalAfterTheFirstUnwrittenOne() {
        try (Simulation sim = Simulation.start("kafka", 1, 12)) {
            sim.latency(Duration.ofMillis(10), Latency.CONSTANT);
            List<Long> casAt = new ArrayList<>();
            sim.observe(message -> {
                if (message.dest().equals("lin-kv")) {
                    casAt.add(sim.time().millis());
                }
            });
            long start = sim.time().millis();
            CompletableFuture<Message> first = sim.request("n0", commit("{\"a\":1}"));
            runUntil(sim, start + 100);
            assertThat(first.getNow(null).type()).as("acknowledged at once").isEqualTo("commit_offsets_ok");
            sim.request("n0", commit("{\"a\":2,\"b\":7}"));
            runUntil(sim, start + COMMIT_FLUSH_INTERVAL - 1);
            assertThat(casAt).as("nothing before the interval is over").isEmpty();
            runUntil(sim, start + COMMIT_FLUSH_INTERVAL + 50);
            assertThat(casAt).as("a read (the value is unknown), then the compare-and-set, a round trip later")
                    .containsExactly(start + COMMIT_FLUSH_INTERVAL, start + COMMIT_FLUSH_INTERVAL + 20);
            assertThat(sim.serviceRequest("lin-kv", "{\"type\":\"read\",\"key\":\"" + CommitWriter.KEY + "\"}").get("value").toString())
                    .isEqualTo("{\"a\":2,\"b\":7}");
            sim.runFor(Duration.ofSeconds(10));
            assertThat(casAt).as("nothing new: nothing written").hasSize(2);

            // The next commit: the value is known, so one compare-and-set, an interval later.
            long next = sim.time().millis();
            sim.request("n0", commit("{\"b\":8}"));
            runUntil(sim, next + COMMIT_FLUSH_INTERVAL + 50);
            assertThat(casAt).hasSize(3).endsWith(next + COMMIT_FLUSH_INTERVAL);
        }
    }

    @Test
    void anotherWritersDocumentIsMergedNotOverwrittenAndListsDuringAFlushAllGetTheirAnswer() {
        try (Simulation sim = Simulation.start("kafka", 1, 13)) {
            sim.latency(Duration.ofMillis(20), Latency.CONSTANT);
            call(sim, "n0", commit("{\"a\":1}"));
            assertThat(call(sim, "n0", list("a")).get("offsets").get("a").asLong()).isEqualTo(1);
            // From now on another writer moves the document as each of our compare-and-sets is on its way, three times.
            int[] meddled = {0};
            int[] failedCas = {0};
            sim.observe(message -> {
                if (message.dest().equals("lin-kv") && message.type().equals("cas") && meddled[0] < 3) {
                    meddled[0]++;
                    ObjectNode moved = message.body().get("from").deepCopy();
                    moved.put("other", meddled[0]);
                    sim.serviceRequest("lin-kv", "{\"type\":\"write\",\"key\":\"" + CommitWriter.KEY + "\",\"value\":" + moved + "}");
                }
                if (message.src().equals("lin-kv") && message.body().path("code").asInt() == 22) {
                    failedCas[0]++;
                }
            });
            call(sim, "n0", commit("{\"a\":7}"));
            List<CompletableFuture<Message>> lists = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                lists.add(sim.request("n0", list("a", "other")));
                sim.runFor(Duration.ofMillis(15));
            }
            sim.runFor(Duration.ofSeconds(2));
            for (CompletableFuture<Message> reply : lists) {
                assertThat(reply.getNow(null).body().get("offsets").toString()).isEqualTo("{\"a\":7,\"other\":3}");
            }
            assertThat(failedCas[0]).as("retried by the kafka-commit policy").isEqualTo(3);
            assertThat(sim.serviceRequest("lin-kv", "{\"type\":\"read\",\"key\":\"" + CommitWriter.KEY + "\"}").get("value").toString())
                    .isEqualTo("{\"a\":7,\"other\":3}");
        }
    }
}
