package dev.glomers.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.ClusterOptions.LatencyDistribution;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NetworkTest {

    private final ProtocolErrors errors = new ProtocolErrors();
    private final Network network = new Network(100, LatencyDistribution.CONSTANT, 1, errors);
    private final BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> delivered = new LinkedBlockingQueue<>();

    NetworkTest() {
        for (String id : List.of("n0", "n1", "c1", "seq-kv")) {
            network.register(id, m -> {
                arrivals.add(System.nanoTime());
                delivered.add(m.get("src").asText() + ">" + m.get("dest").asText());
            });
        }
    }

    @AfterEach
    void close() {
        network.close();
    }

    private static ObjectNode message(String src, String dest) {
        ObjectNode m = Json.object().put("src", src).put("dest", dest);
        m.set("body", Json.object().put("type", "x"));
        return m;
    }

    private long deliveryMillis(String src, String dest) throws InterruptedException {
        long sent = System.nanoTime();
        network.send(message(src, dest));
        Long at = arrivals.poll(2, TimeUnit.SECONDS);
        assertThat(at).as(src + " to " + dest + " delivered").isNotNull();
        return TimeUnit.NANOSECONDS.toMillis(at - sent);
    }

    @Test
    void latencyDelaysServerToServerMessagesOnly() throws InterruptedException {
        assertThat(deliveryMillis("n0", "n1")).isBetween(95L, 400L);
        assertThat(deliveryMillis("n0", "seq-kv")).isBetween(95L, 400L);
        assertThat(deliveryMillis("c1", "n0")).isLessThan(90L);
        assertThat(deliveryMillis("n0", "c1")).isLessThan(90L);
    }

    @Test
    void countsEverySentMessageByWhetherAClientIsInvolved() throws InterruptedException {
        network.send(message("n0", "n1"));
        network.send(message("n1", "seq-kv"));
        network.send(message("seq-kv", "n1"));
        network.send(message("c1", "n0"));
        network.send(message("n0", "c1"));
        network.send(message("n0", "n9")); // unknown destination: an error, not a message
        MessageStats stats = network.stats();
        assertThat(stats.serverMessages()).isEqualTo(3);
        assertThat(stats.clientMessages()).isEqualTo(2);
        assertThat(stats.allMessages()).isEqualTo(5);
        assertThat(errors.count()).isEqualTo(1);
        assertThat(stats.report(2)).extractingByKey("servers").asInstanceOf(
                org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("msgs-per-op", 1.5);
    }

    @Test
    void messagesToAClosedClientVanishUncounted() throws InterruptedException {
        network.retire("c1");
        network.send(message("n0", "c1"));
        assertThat(delivered.poll(200, TimeUnit.MILLISECONDS)).isNull();
        assertThat(network.stats().allMessages()).isZero();
        assertThat(errors.count()).isZero();
    }

    @Test
    void aPartitionDropsMessagesAfterCountingThem() throws InterruptedException {
        network.partition(Map.of("n1", Set.of("n0")));
        network.send(message("n0", "n1"));
        network.send(message("n1", "n0"));
        network.send(message("n0", "seq-kv"));
        assertThat(delivered.poll(1, TimeUnit.SECONDS)).isIn("n1>n0", "n0>seq-kv");
        assertThat(delivered.poll(1, TimeUnit.SECONDS)).isIn("n1>n0", "n0>seq-kv");
        assertThat(delivered.poll(300, TimeUnit.MILLISECONDS)).isNull();
        assertThat(network.stats().serverMessages()).isEqualTo(3);

        network.heal();
        network.send(message("n0", "n1"));
        assertThat(delivered.poll(1, TimeUnit.SECONDS)).isEqualTo("n0>n1");
    }
}
