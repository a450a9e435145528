package dev.glomers.workload.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.node.Message;
import dev.glomers.testing.InMemoryCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Whole broadcast nodes, wired by Spring, on the in-memory network. */
class BroadcastNodeTest {

    private static Set<Long> read(InMemoryCluster cluster, String node) throws Exception {
        Message reply = cluster.request(node, "{\"type\":\"read\"}").get(2, TimeUnit.SECONDS);
        assertThat(reply.type()).isEqualTo("read_ok");
        assertThat(reply.body().size()).as("only type, messages and in_reply_to").isEqualTo(3);
        Set<Long> values = new HashSet<>();
        for (JsonNode value : reply.body().get("messages")) {
            values.add(value.asLong());
        }
        return values;
    }

    private static void broadcast(InMemoryCluster cluster, String node, long value) throws Exception {
        Message reply = cluster.request(node, "{\"type\":\"broadcast\",\"message\":" + value + "}").get(2, TimeUnit.SECONDS);
        assertThat(reply.type()).isEqualTo("broadcast_ok");
        assertThat(reply.body().size()).as("only type and in_reply_to").isEqualTo(2);
    }

    /** Polls every node until it reads {@code expected}, failing after {@code limit}. */
    private static void awaitEverywhere(InMemoryCluster cluster, List<String> nodes, Set<Long> expected, Duration limit)
            throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        for (String node : nodes) {
            while (!read(cluster, node).equals(expected) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(read(cluster, node)).as("values on " + node).isEqualTo(expected);
        }
    }

    @Test
    void answersTopologyAndSpreadsEveryValueToEveryNode() throws Exception {
        try (InMemoryCluster cluster = InMemoryCluster.start("broadcast", 5)) {
            cluster.latency(Duration.ofMillis(20));
            Message topology = cluster.request("n2",
                    "{\"type\":\"topology\",\"topology\":{\"n0\":[\"n1\"],\"n1\":[\"n0\"]}}").get(2, TimeUnit.SECONDS);
            assertThat(topology.type()).isEqualTo("topology_ok");
            Set<Long> expected = new HashSet<>();
            for (long value = 0; value < 50; value++) {
                broadcast(cluster, "n" + (value % 5), value);
                expected.add(value);
            }
            awaitEverywhere(cluster, cluster.nodeIds(), expected, Duration.ofSeconds(5));
            // Quiet once everything is acknowledged: no heartbeat, no redelivery.
            Thread.sleep(2500);
            long settled = cluster.serverMessages();
            Thread.sleep(2500);
            assertThat(cluster.serverMessages()).isEqualTo(settled);
        }
    }

    @Test
    void valuesCrossAPartitionThatCutsTheHubOffOnceItHeals() throws Exception {
        try (InMemoryCluster cluster = InMemoryCluster.start("broadcast", 5)) {
            cluster.latency(Duration.ofMillis(10));
            cluster.partition(InMemoryCluster.side("n0", "n1"), InMemoryCluster.side("n2", "n3", "n4"));
            Set<Long> hubSide = new HashSet<>();
            Set<Long> otherSide = new HashSet<>();
            for (long value = 0; value < 40; value++) {
                String node = "n" + (value % 5);
                broadcast(cluster, node, value);
                (value % 5 < 2 ? hubSide : otherSide).add(value);
                Thread.sleep(20);
            }
            // Reads never wait, even cut off; the hub-less side shares its values by itself.
            awaitEverywhere(cluster, List.of("n2", "n3", "n4"), otherSide, Duration.ofSeconds(8));
            awaitEverywhere(cluster, List.of("n0", "n1"), hubSide, Duration.ofSeconds(8));

            cluster.heal();
            Set<Long> all = new HashSet<>(hubSide);
            all.addAll(otherSide);
            awaitEverywhere(cluster, cluster.nodeIds(), all, Duration.ofSeconds(8));
        }
    }

    @Test
    void aTreeWithFanOutTwoSpreadsEveryValueToEveryNode() throws Exception {
        try (InMemoryCluster cluster = InMemoryCluster.start("broadcast", 7, "--glomers.broadcast.fan-out=2")) {
            cluster.latency(Duration.ofMillis(10));
            Set<Long> expected = new HashSet<>();
            for (long value = 0; value < 21; value++) {
                broadcast(cluster, "n" + (value % 7), value);
                expected.add(value);
            }
            awaitEverywhere(cluster, cluster.nodeIds(), expected, Duration.ofSeconds(5));
        }
    }

    @Test
    void aSingleNodeServesItsOwnValues() throws Exception {
        try (InMemoryCluster cluster = InMemoryCluster.start("broadcast", 1)) {
            List<Long> values = new ArrayList<>();
            for (long value = 0; value < 10; value++) {
                broadcast(cluster, "n0", value);
                values.add(value);
            }
            assertThat(read(cluster, "n0")).containsExactlyInAnyOrderElementsOf(values);
            assertThat(cluster.serverMessages()).isZero();
        }
    }

    @Test
    void theFrugalProfileWidensTheWindowsAndAnswersBroadcastsOnReceipt() {
        try (InMemoryCluster cluster = InMemoryCluster.start("broadcast,frugal", 1)) {
            BroadcastProperties frugal = cluster.bean("n0", BroadcastProperties.class);
            assertThat(frugal.uplinkWindow()).isEqualTo(Duration.ofMillis(800));
            assertThat(frugal.relayWindow()).isEqualTo(Duration.ofMillis(800));
            assertThat(frugal.clientAck()).isEqualTo(BroadcastProperties.ClientAck.ON_RECEIPT);
        }
        try (InMemoryCluster cluster = InMemoryCluster.start("broadcast", 1)) {
            BroadcastProperties defaults = cluster.bean("n0", BroadcastProperties.class);
            assertThat(defaults.uplinkWindow()).isEqualTo(Duration.ofMillis(150));
            assertThat(defaults.clientAck()).isEqualTo(BroadcastProperties.ClientAck.AFTER_WINDOW);
        }
    }
}
