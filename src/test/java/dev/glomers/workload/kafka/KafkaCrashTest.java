package dev.glomers.workload.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Message;
import dev.glomers.node.Wire;
import dev.glomers.retry.Retries;
import dev.glomers.retry.RetryProperties;
import dev.glomers.workload.CrashCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Durable kafka cores crashed at random points (the disk keeping only what was synced) and restarted,
 * with lin-kv as a service that survives them: no acknowledged send is lost, no offset is given twice or
 * skipped, every poll answer is a window of the one true log, committed offsets never go back and every
 * acknowledged commit reaches lin-kv. A node that does not persist fails the same checks.
 */
class KafkaCrashTest {

    private static final List<String> NODES = List.of("n0", "n1");
    private static final List<String> KEYS = List.of("k0", "k1", "k2", "k3", "k4", "k5");
    private static final KafkaProperties SETTINGS = new KafkaProperties(Duration.ofSeconds(1), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofMillis(200),
            Duration.ofSeconds(1), 1000, 10000, 10000);
    private static final Retries RETRIES = new Retries(new RetryProperties(Map.of(
            "kafka-commit", new RetryProperties.Policy(30, Duration.ofMillis(2), 2, Duration.ofMillis(100), List.of(0, 20, 22)),
            "kafka-replicate", new RetryProperties.Policy(0, Duration.ofMillis(50), 2, Duration.ofMillis(200), List.of(0)))), null);

    private static final class Run {
        final CrashCluster cluster;
        final Map<String, JsonNode> linKv = new HashMap<>();
        /** "key/offset" -> message, from every send_ok and every poll answer. */
        final Map<String, Long> atOffset = new HashMap<>();
        final List<String> anomalies = new ArrayList<>();
        final Map<Long, String> acknowledged = new HashMap<>(); // message -> key
        final Map<String, Long> committedAcked = new HashMap<>();
        final Map<String, Long> listedHighest = new HashMap<>();
        final Map<Long, ObjectNode> pending = new HashMap<>();
        /** Per node, every key's log at its last sync: what it had shown by then. */
        final Map<String, Map<String, Long>> shown = new HashMap<>();
        long nextMsg = 1;
        long nextRequest = 1;
        int restarts;
        boolean crashes = true;
        boolean commitsOnly;

        Run(long seed, boolean forgetful) {
            cluster = new CrashCluster(NODES, id -> new KafkaCore(id, NODES, SETTINGS,
                    RETRIES.policy("kafka-replicate"), RETRIES.policy("kafka-commit")), forgetful, seed);
            cluster.dropRate = 0.02;
            cluster.services.put("lin-kv", this::linKv);
            cluster.afterSync = (id, core) -> {
                if (crashes) {
                    shown.put(id, ((KafkaCore) core).lengths());
                }
            };
            cluster.toClients = this::answered;
        }

        private Message linKv(Message request) {
            ObjectNode body = request.body();
            String key = body.path("key").asText();
            ObjectNode reply = Wire.JSON.createObjectNode();
            JsonNode current = linKv.get(key);
            switch (body.path("type").asText()) {
                case "read" -> {
                    if (current == null) {
                        reply.put("type", "error").put("code", 20);
                    } else {
                        reply.put("type", "read_ok").set("value", current);
                    }
                }
                case "cas" -> {
                    if (current == null ? body.path("create_if_not_exists").asBoolean() : current.equals(body.get("from"))) {
                        linKv.put(key, body.get("to"));
                        reply.put("type", "cas_ok");
                    } else {
                        reply.put("type", "error").put("code", current == null ? 20 : 22);
                    }
                }
                default -> reply.put("type", "error").put("code", 10);
            }
            reply.put("in_reply_to", request.msgId());
            return new Message("lin-kv", request.src(), reply);
        }

        private void answered(Message reply) {
            ObjectNode request = pending.remove(reply.inReplyTo());
            if (request == null) {
                return;
            }
            switch (reply.type()) {
                case "send_ok" -> {
                    long msg = request.get("msg").asLong();
                    acknowledged.put(msg, request.get("key").asText());
                    seen(request.get("key").asText(), reply.body().get("offset").asLong(), msg);
                }
                case "poll_ok" -> reply.body().get("msgs").fields().forEachRemaining(field -> {
                    for (JsonNode pair : field.getValue()) {
                        seen(field.getKey(), pair.get(0).asLong(), pair.get(1).asLong());
                    }
                });
                case "commit_offsets_ok" -> request.get("offsets").fields().forEachRemaining(field ->
                        committedAcked.merge(field.getKey(), field.getValue().asLong(), Math::max));
                case "list_committed_offsets_ok" -> reply.body().get("offsets").fields().forEachRemaining(field -> {
                    long before = listedHighest.getOrDefault(field.getKey(), -1L);
                    if (field.getValue().asLong() < before) {
                        anomalies.add("committed offset of " + field.getKey() + " went back from " + before + " to " + field.getValue());
                    }
                    listedHighest.merge(field.getKey(), field.getValue().asLong(), Math::max);
                });
                default -> {
                }
            }
        }

        private void seen(String key, long offset, long msg) {
            Long before = atOffset.putIfAbsent(key + "/" + offset, msg);
            if (before != null && before != msg) {
                anomalies.add(key + " offset " + offset + " holds " + before + " and " + msg);
            }
        }

        private void request(String node, ObjectNode body) {
            long id = nextRequest++;
            body.put("msg_id", id);
            pending.put(id, body);
            cluster.request(node, new Message("c" + id, node, body));
        }

        void play(long millis) {
            for (long end = cluster.now() + millis; cluster.now() < end; ) {
                for (String node : NODES) {
                    if (!cluster.isUp(node) || cluster.random().nextInt(3) != 0) {
                        continue;
                    }
                    String key = KEYS.get(cluster.random().nextInt(KEYS.size()));
                    ObjectNode body = Wire.JSON.createObjectNode();
                    int kind = commitsOnly ? 17 : cluster.random().nextInt(20);
                    if (kind < 10) {
                        body.put("type", "send").put("key", key).put("msg", nextMsg++);
                    } else if (kind < 17) {
                        body.put("type", "poll").putObject("offsets").put(key, cluster.random().nextInt(200));
                    } else if (kind < 19) {
                        body.put("type", "commit_offsets").putObject("offsets").put(key, cluster.random().nextInt(500));
                    } else {
                        body.put("type", "list_committed_offsets").putArray("keys").add(key);
                    }
                    request(node, body);
                }
                maybeCrash();
                cluster.run(1);
            }
        }

        private void maybeCrash() {
            for (String node : NODES) {
                if (!crashes) {
                    return;
                }
                if (cluster.isUp(node) && cluster.random().nextInt(1500) == 0) {
                    cluster.crash(node);
                } else if (!cluster.isUp(node) && cluster.random().nextInt(300) == 0) {
                    Map<String, Long> recovered = ((KafkaCore) cluster.restart(node)).lengths();
                    restarts++;
                    // Shorter is lost; what the messages are is checked against every answer and the final logs.
                    shown.getOrDefault(node, Map.of()).forEach((key, before) -> {
                        if (recovered.getOrDefault(key, 0L) < before) {
                            anomalies.add(node + " showed " + before + " messages of " + key + " but recovered " + recovered.get(key));
                        }
                    });
                }
            }
        }

        /** Everything up, no drops, time for replication and the commit flush; then the final checks. */
        void settle() {
            NODES.stream().filter(node -> !cluster.isUp(node)).forEach(cluster::restart);
            cluster.dropRate = 0;
            for (int i = 0; i < 5; i++) {
                KEYS.forEach(key -> NODES.forEach(node -> {
                    ObjectNode body = Wire.JSON.createObjectNode();
                    body.put("type", "poll").putObject("offsets").put(key, 0);
                    request(node, body);
                }));
                cluster.run(1000);
            }
            Map<String, List<String>> n0 = logsOf(cluster.core("n0"));
            if (!logsOf(cluster.core("n1")).equals(n0)) {
                anomalies.add("replicas differ from the owners' logs: " + n0 + " vs " + logsOf(cluster.core("n1")));
            }
            acknowledged.forEach((msg, key) -> {
                boolean present = n0.getOrDefault(key, List.of()).stream().anyMatch(text -> text.equals(String.valueOf(msg)));
                if (!present) {
                    anomalies.add("acknowledged message " + msg + " of " + key + " is lost");
                }
            });
            n0.forEach((key, log) -> {
                if (log.stream().distinct().count() != log.size()) {
                    anomalies.add(key + " holds a message twice: " + log);
                }
            });
            JsonNode document = linKv.get(CommitWriter.KEY);
            committedAcked.forEach((key, offset) -> {
                if (document == null || document.path(key).asLong(-1) < offset) {
                    anomalies.add("acknowledged commit " + key + "=" + offset + " is not in lin-kv: " + document);
                }
            });
        }
    }

    /** A node's logs with each message as its JSON text (a number read back from disk may be another node type). */
    private static Map<String, List<String>> logsOf(dev.glomers.node.Core core) {
        Map<String, List<String>> logs = new HashMap<>();
        ((KafkaCore) core).logs().forEach((key, msgs) -> logs.put(key, msgs.stream().map(JsonNode::toString).toList()));
        return logs;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void nothingAcknowledgedIsLostAndOffsetsStayDenseAcrossCrashes(long seed) {
        Run run = new Run(seed, false);
        run.play(6000);
        run.settle();
        assertThat(run.restarts).as("crashes happened").isGreaterThan(0);
        assertThat(run.acknowledged).hasSizeGreaterThan(1000);
        assertThat(run.committedAcked).isNotEmpty();
        assertThat(run.anomalies).isEmpty();
    }

    @Test
    void aNodeThatDoesNotPersistIsCaught() {
        int caught = 0;
        for (long seed = 1; seed <= 4; seed++) {
            Run run = new Run(seed, true);
            run.play(6000);
            run.settle();
            if (!run.anomalies.isEmpty()) {
                caught++;
            }
        }
        assertThat(caught).as("runs in which the forgetful node lost what it had acknowledged").isEqualTo(4);
    }

    /** Every message stays pollable, so the state grows with the sends; the records beyond it (commits) are cut by snapshots. */
    @Test
    void theDataDirectoryStaysBoundedBySnapshots() {
        Run run = new Run(11, false);
        run.crashes = false;
        run.play(3000);
        run.commitsOnly = true;
        run.play(15000);
        for (String node : NODES) {
            long held = ((KafkaCore) run.cluster.core(node)).lengths().values().stream().mapToLong(Long::longValue).sum();
            assertThat(run.cluster.recorder(node).hasSnapshot()).as(node + " took a snapshot").isTrue();
            assertThat((long) run.cluster.recorder(node).recordsOnDisk()).isLessThanOrEqualTo(
                    Math.max(KafkaJournal.MIN_RECORDS_PER_SNAPSHOT, 2 * held) + 1);
        }
    }
}
