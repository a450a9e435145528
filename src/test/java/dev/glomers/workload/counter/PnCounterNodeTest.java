package dev.glomers.workload.counter;

import static dev.glomers.testing.InMemoryCluster.side;
import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.node.Message;
import dev.glomers.testing.InMemoryCluster;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PnCounterNodeTest {

    private static long read(InMemoryCluster cluster, String node) throws Exception {
        Message reply = cluster.request(node, "{\"type\":\"read\"}").get(5, TimeUnit.SECONDS);
        assertThat(reply.type()).isEqualTo("read_ok");
        assertThat(reply.body().size()).as("read_ok carries type, value, in_reply_to only").isEqualTo(3);
        return reply.body().get("value").asLong();
    }

    @Test
    void addsOnBothSidesOfAPartitionAreAllCountedEverywhereAfterHealingAndGossipThenFallsSilent() throws Exception {
        try (InMemoryCluster cluster = InMemoryCluster.start("pn-counter", 3, "--glomers.crdt.gossip-interval=20ms")) {
            cluster.latency(Duration.ofMillis(2));
            cluster.partition(side("n0"), side("n1", "n2"));
            Random random = new Random(1);
            long sum = 0;
            for (int i = 0; i < 200; i++) {
                long delta = random.nextInt(11) - 5;
                Message reply = cluster.request("n" + (i % 3), "{\"type\":\"add\",\"delta\":" + delta + "}").get(5, TimeUnit.SECONDS);
                assertThat(reply.type()).as("adds stay available in a partition").isEqualTo("add_ok");
                sum += delta;
            }
            Thread.sleep(200);
            assertThat(read(cluster, "n0")).as("n0 is cut off, it cannot know the others' adds yet").isNotEqualTo(sum);
            cluster.heal();
            Thread.sleep(300);
            for (String node : cluster.nodeIds()) {
                assertThat(read(cluster, node)).as("final read on %s", node).isEqualTo(sum);
            }
            long settled = cluster.serverMessages();
            Thread.sleep(200);
            assertThat(cluster.serverMessages()).as("no gossip once every node has everything").isEqualTo(settled);
        }
    }
}
