package dev.glomers.workload.gset;

import static dev.glomers.testing.InMemoryCluster.side;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.node.Message;
import dev.glomers.testing.InMemoryCluster;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GSetNodeTest {

    private static Set<Long> read(InMemoryCluster cluster, String node) throws Exception {
        Message reply = cluster.request(node, "{\"type\":\"read\"}").get(5, TimeUnit.SECONDS);
        assertThat(reply.type()).isEqualTo("read_ok");
        Set<Long> values = new HashSet<>();
        for (JsonNode element : reply.body().get("value")) {
            assertThat(values.add(element.asLong())).as("no element twice").isTrue();
        }
        return values;
    }

    @Test
    void elementsAddedInAPartitionReachEveryNodeAfterHealingAndGossipCarriesEachOnlyOnce() throws Exception {
        try (InMemoryCluster cluster = InMemoryCluster.start("g-set", 3, "--glomers.crdt.gossip-interval=20ms")) {
            cluster.latency(Duration.ofMillis(2));
            cluster.partition(side("n0", "n1"), side("n2"));
            Set<Long> added = new HashSet<>();
            for (long element = 0; element < 300; element++) {
                Message reply = cluster.request("n" + (element % 3), "{\"type\":\"add\",\"element\":" + element + "}")
                        .get(5, TimeUnit.SECONDS);
                assertThat(reply.type()).isEqualTo("add_ok");
                added.add(element);
                if (element % 50 == 0) {
                    Thread.sleep(30);
                }
            }
            Thread.sleep(200);
            assertThat(read(cluster, "n2")).hasSizeLessThan(added.size());
            cluster.heal();
            Thread.sleep(300);
            for (String node : cluster.nodeIds()) {
                assertThat(read(cluster, node)).as("final read on %s", node).isEqualTo(added);
            }
            long settled = cluster.serverMessages();
            Thread.sleep(200);
            assertThat(cluster.serverMessages()).as("no gossip once every node has everything").isEqualTo(settled);
        }
    }

    @Test
    void anyJsonValueIsAnElement() throws Exception {
        try (InMemoryCluster cluster = InMemoryCluster.start("g-set", 2, "--glomers.crdt.gossip-interval=20ms")) {
            cluster.request("n0", "{\"type\":\"add\",\"element\":\"x\"}").get(5, TimeUnit.SECONDS);
            cluster.request("n0", "{\"type\":\"add\",\"element\":{\"k\":[1,2]}}").get(5, TimeUnit.SECONDS);
            Thread.sleep(200);
            Message reply = cluster.request("n1", "{\"type\":\"read\"}").get(5, TimeUnit.SECONDS);
            assertThat(reply.body().get("value").toString()).isEqualTo("[\"x\",{\"k\":[1,2]}]");
        }
    }
}
