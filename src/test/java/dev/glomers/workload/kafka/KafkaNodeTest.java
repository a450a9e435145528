package dev.glomers.workload.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Message;
import dev.glomers.node.Wire;
import dev.glomers.testing.InMemoryCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Whole kafka nodes in one JVM, on the in-memory network with a linearizable KV service. */
class KafkaNodeTest {

    private static final String[] FAST_FAILURE_DETECTION = {
            "--glomers.kafka.rpc-timeout=200ms", "--glomers.kafka.owner-suspect-after=400ms"};

    private static JsonNode call(InMemoryCluster cluster, String node, String body) throws Exception {
        Message reply = cluster.request(node, body).get(5, TimeUnit.SECONDS);
        return reply.body();
    }

    private static String send(String key, int msg) {
        return "{\"type\":\"send\",\"key\":\"" + key + "\",\"msg\":" + msg + "}";
    }

    private static String poll(Map<String, Long> offsets) {
        ObjectNode body = Wire.JSON.createObjectNode();
        body.put("type", "poll");
        body.set("offsets", Wire.JSON.valueToTree(offsets));
        return body.toString();
    }

    /** Polls {@code key} on {@code node} from 0 to the end, as a consumer would: offset -> message. */
    private static TreeMap<Long, Integer> pollAll(InMemoryCluster cluster, String node, String key) throws Exception {
        TreeMap<Long, Integer> seen = new TreeMap<>();
        long next = 0;
        while (true) {
            JsonNode pairs = call(cluster, node, poll(Map.of(key, next))).path("msgs").path(key);
            if (pairs.isMissingNode() || pairs.isEmpty()) {
                return seen;
            }
            for (JsonNode pair : pairs) {
                assertThat(pair.get(0).asLong()).as("in order, from the requested offset, without gaps").isEqualTo(next);
                seen.put(next, pair.get(1).asInt());
                next++;
            }
        }
    }

    private static String ownedBy(String node, List<String> nodes) {
        for (int i = 0; ; i++) {
            if (Ownership.owner("k" + i, nodes).equals(node)) {
                return "k" + i;
            }
        }
    }

    private static InMemoryCluster cluster(int nodes, LinKvService linKv, String... args) {
        InMemoryCluster cluster = InMemoryCluster.start("kafka", nodes, args);
        cluster.service("lin-kv", linKv);
        return cluster;
    }

    @Test
    void aSingleNodeGivesIncreasingOffsetsAndPollsThemBackInOrder() throws Exception {
        try (InMemoryCluster cluster = cluster(1, new LinKvService())) {
            Map<String, TreeMap<Long, Integer>> acked = new HashMap<>();
            for (int i = 0; i < 300; i++) {
                String key = "k" + (i % 3);
                long offset = call(cluster, "n0", send(key, i)).get("offset").asLong();
                TreeMap<Long, Integer> keyAcked = acked.computeIfAbsent(key, k -> new TreeMap<>());
                if (!keyAcked.isEmpty()) {
                    assertThat(offset).as("strictly increasing per key").isGreaterThan(keyAcked.lastKey());
                }
                keyAcked.put(offset, i);
            }
            for (String key : acked.keySet()) {
                assertThat(pollAll(cluster, "n0", key)).isEqualTo(acked.get(key));
            }
            assertThat(cluster.serverMessages()).as("one node needs nobody for sends and polls").isZero();
        }
    }

    @Test
    void twoNodesAgreeOnEveryAcknowledgedMessageWhicheverNodeWasAsked() throws Exception {
        try (InMemoryCluster cluster = cluster(2, new LinKvService())) {
            Map<String, TreeMap<Long, Integer>> acked = new HashMap<>();
            List<CompletableFuture<Message>> pending = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                String key = "k" + (i % 8);
                keys.add(key);
                pending.add(cluster.request("n" + (i % 2), send(key, i)));
            }
            for (int i = 0; i < pending.size(); i++) {
                JsonNode reply = pending.get(i).get(5, TimeUnit.SECONDS).body();
                assertThat(reply.path("type").asText()).isEqualTo("send_ok");
                Integer previous = acked.computeIfAbsent(keys.get(i), k -> new TreeMap<>()).put(reply.get("offset").asLong(), i);
                assertThat(previous).as("one offset, one message").isNull();
            }
            Thread.sleep(500); // replicas catch up in batches
            for (String node : cluster.nodeIds()) {
                for (String key : acked.keySet()) {
                    assertThat(pollAll(cluster, node, key)).as(key + " on " + node).isEqualTo(acked.get(key));
                }
            }
        }
    }

    @Test
    void committedOffsetsAreSharedThroughLinKvAndNeverGoBack() throws Exception {
        LinKvService linKv = new LinKvService();
        try (InMemoryCluster cluster = cluster(2, linKv)) {
            assertThat(call(cluster, "n0", "{\"type\":\"list_committed_offsets\",\"keys\":[\"a\"]}").get("offsets").size())
                    .as("nothing committed yet").isZero();
            assertThat(call(cluster, "n0", "{\"type\":\"commit_offsets\",\"offsets\":{\"a\":5,\"b\":2}}").path("type").asText())
                    .isEqualTo("commit_offsets_ok");
            JsonNode own = call(cluster, "n0", "{\"type\":\"list_committed_offsets\",\"keys\":[\"a\",\"b\",\"c\"]}");
            assertThat(own.get("offsets")).isEqualTo(Wire.JSON.readTree("{\"a\":5,\"b\":2}"));

            call(cluster, "n1", "{\"type\":\"commit_offsets\",\"offsets\":{\"a\":3,\"b\":4}}");
            JsonNode other = call(cluster, "n1", "{\"type\":\"list_committed_offsets\",\"keys\":[\"a\",\"b\"]}");
            assertThat(other.get("offsets")).as("a lower commit does not move an offset back")
                    .isEqualTo(Wire.JSON.readTree("{\"a\":5,\"b\":4}"));
            JsonNode again = call(cluster, "n0", "{\"type\":\"list_committed_offsets\",\"keys\":[\"a\",\"b\"]}");
            assertThat(again.get("offsets")).isEqualTo(Wire.JSON.readTree("{\"a\":5,\"b\":4}"));
        }
    }

    @Test
    void listsArrivingWhileAFlushIsUnderWayAllGetAnAnswer() throws Exception {
        try (InMemoryCluster cluster = cluster(1, new LinKvService())) {
            cluster.latency(Duration.ofMillis(20));
            call(cluster, "n0", "{\"type\":\"commit_offsets\",\"offsets\":{\"a\":4}}");
            List<CompletableFuture<Message>> lists = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                lists.add(cluster.request("n0", "{\"type\":\"list_committed_offsets\",\"keys\":[\"a\"]}"));
            }
            for (CompletableFuture<Message> list : lists) {
                JsonNode reply = list.get(5, TimeUnit.SECONDS).body();
                assertThat(reply.path("type").asText()).as(reply.toString()).isEqualTo("list_committed_offsets_ok");
                assertThat(reply.get("offsets").get("a").asLong()).isEqualTo(4);
            }
        }
    }

    @Test
    void anotherWritersDocumentIsMergedNotOverwrittenWhenTheCompareAndSetFails() throws Exception {
        LinKvService linKv = new LinKvService();
        try (InMemoryCluster cluster = cluster(1, linKv)) {
            call(cluster, "n0", "{\"type\":\"commit_offsets\",\"offsets\":{\"a\":1}}");
            assertThat(call(cluster, "n0", "{\"type\":\"list_committed_offsets\",\"keys\":[\"a\"]}").get("offsets").get("a").asLong())
                    .isEqualTo(1);
            // From now on, another writer moves the document just before every compare-and-set we make.
            int[] meddled = {0};
            linKv.beforeCas(values -> {
                if (meddled[0]++ < 3) {
                    ObjectNode moved = ((ObjectNode) values.get(Wire.JSON.getNodeFactory().textNode(KafkaWorkload.COMMITTED_KEY))).deepCopy();
                    moved.put("other", meddled[0]);
                    values.put(Wire.JSON.getNodeFactory().textNode(KafkaWorkload.COMMITTED_KEY), moved);
                }
            });
            call(cluster, "n0", "{\"type\":\"commit_offsets\",\"offsets\":{\"a\":7}}");
            JsonNode listed = call(cluster, "n0", "{\"type\":\"list_committed_offsets\",\"keys\":[\"a\",\"other\"]}");
            assertThat(listed.get("offsets")).isEqualTo(Wire.JSON.readTree("{\"a\":7,\"other\":3}"));
            assertThat(linKv.preconditionFailures()).as("retried by the kafka-commit policy").isEqualTo(3);
            assertThat(linKv.value(KafkaWorkload.COMMITTED_KEY)).isEqualTo(Wire.JSON.readTree("{\"a\":7,\"other\":3}"));
        }
    }

    @Test
    void errorsTheCommitPolicyDoesNotRetryAreSurfaced() throws Exception {
        LinKvService linKv = new LinKvService();
        // Only the list writes (no timer flush racing it), so every cas request is one attempt.
        try (InMemoryCluster cluster = cluster(1, linKv, "--glomers.kafka.commit-flush-interval=1h")) {
            linKv.failEveryCasWith(14);
            call(cluster, "n0", "{\"type\":\"commit_offsets\",\"offsets\":{\"a\":1}}");
            JsonNode listed = call(cluster, "n0", "{\"type\":\"list_committed_offsets\",\"keys\":[\"a\"]}");
            assertThat(listed.path("type").asText()).isEqualTo("error");
            assertThat(listed.get("code").asInt()).isEqualTo(14);
            assertThat(linKv.casRequests()).as("no retry of an abort").isEqualTo(1);
        }
    }

    @Test
    void underAPartitionSendsToTheUnreachableOwnerFailDefinitelyAndNothingWrongIsEverAnswered() throws Exception {
        try (InMemoryCluster cluster = cluster(2, new LinKvService(), FAST_FAILURE_DETECTION)) {
            String key = ownedBy("n0", cluster.nodeIds());
            assertThat(call(cluster, "n1", send(key, 1)).get("offset").asLong()).isZero();
            Thread.sleep(300); // replicated to n1
            cluster.partition(InMemoryCluster.side("n0"), InMemoryCluster.side("n1"));

            // Before the owner is suspected a forward times out: indefinite (0), never a made-up offset.
            JsonNode early = call(cluster, "n1", send(key, 2));
            assertThat(early.path("type").asText()).isEqualTo("error");
            assertThat(early.get("code").asInt()).isIn(0, 11);
            Thread.sleep(600);
            JsonNode refused = call(cluster, "n1", send(key, 3));
            assertThat(refused.get("code").asInt()).as("owner known unreachable: definite").isEqualTo(11);

            // The owner's side goes on; the other side still answers polls from its replica, only behind.
            assertThat(call(cluster, "n0", send(key, 4)).get("offset").asLong()).isEqualTo(1);
            assertThat(pollAll(cluster, "n1", key)).containsExactly(Map.entry(0L, 1));

            cluster.heal();
            Thread.sleep(1000);
            assertThat(call(cluster, "n1", send(key, 5)).get("offset").asLong()).isEqualTo(2);
            Thread.sleep(300);
            TreeMap<Long, Integer> expected = new TreeMap<>(Map.of(0L, 1, 1L, 4, 2L, 5));
            assertThat(pollAll(cluster, "n0", key)).as("the refused message is nowhere").isEqualTo(expected);
            assertThat(pollAll(cluster, "n1", key)).isEqualTo(expected);
        }
    }

    @Test
    void aPollIsABoundedBatch() throws Exception {
        try (InMemoryCluster cluster = cluster(1, new LinKvService(), "--glomers.kafka.poll-max-per-key=10")) {
            for (int i = 0; i < 25; i++) {
                call(cluster, "n0", send("k", i));
            }
            JsonNode pairs = call(cluster, "n0", poll(Map.of("k", 3L))).path("msgs").path("k");
            assertThat(pairs).hasSize(10);
            assertThat(pairs.get(0).get(0).asLong()).isEqualTo(3);
            assertThat(pollAll(cluster, "n0", "k")).hasSize(25);
        }
    }

    @Test
    void underLoadReplicationRidesOnForwardedSends() throws Exception {
        try (InMemoryCluster cluster = cluster(2, new LinKvService(), "--glomers.kafka.commit-flush-interval=1h")) {
            String a = ownedBy("n0", cluster.nodeIds());
            String b = ownedBy("n1", cluster.nodeIds());
            Thread.sleep(300);
            long before = cluster.serverMessages();
            int forwards = 0;
            long end = System.nanoTime() + 1_200_000_000L;
            for (int i = 0; System.nanoTime() < end; i++) {
                call(cluster, "n0", send(a, i)); // appended on the owner: n1 is behind
                call(cluster, "n1", send(b, i)); // and the other way round
                call(cluster, "n1", send(a, 1000 + i)); // forwarded, carrying n1's new messages of b
                call(cluster, "n0", send(b, 1000 + i)); // forwarded, carrying n0's new messages of a
                forwards += 2;
                Thread.sleep(5);
            }
            long extra = cluster.serverMessages() - before - 2L * forwards;
            assertThat(extra).as("messages beyond the forwards and their answers, over 1.2 s").isLessThanOrEqualTo(8);
            Thread.sleep(300);
            for (String key : List.of(a, b)) {
                assertThat(pollAll(cluster, "n0", key)).isEqualTo(pollAll(cluster, "n1", key));
            }
        }
    }

    @Test
    void nodesTalkToEachOtherOnlyOnceClientsHaveStarted() throws Exception {
        try (InMemoryCluster cluster = cluster(2, new LinKvService())) {
            Thread.sleep(700);
            assertThat(cluster.serverMessages()).as("a peer may not have had its init yet").isZero();
            call(cluster, "n1", poll(Map.of()));
            Thread.sleep(700);
            assertThat(cluster.serverMessages()).as("heartbeats both ways once one node had a client").isPositive();
        }
    }

    @Test
    void replicationStaysCheapWhenIdle() throws Exception {
        try (InMemoryCluster cluster = cluster(2, new LinKvService())) {
            call(cluster, "n0", send("k", 1));
            Thread.sleep(300);
            long before = cluster.serverMessages();
            Thread.sleep(1000);
            long idle = cluster.serverMessages() - before;
            // Two nodes, one heartbeat batch and its answer each per heartbeat interval (250 ms): about 16.
            assertThat(idle).isBetween(8L, 24L);
        }
    }
}
