package dev.glomers.workload.uniqueids;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.node.Message;
import dev.glomers.testing.InMemoryCluster;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class UniqueIdsNodeTest {

    @Test
    void idsAreUniqueAcrossTheClusterEvenWhenEveryNodeIsCutOffAndNoNodeTalksToAnother() throws Exception {
        try (InMemoryCluster cluster = InMemoryCluster.start("unique-ids", 3)) {
            cluster.partition(InMemoryCluster.side("n0"), InMemoryCluster.side("n1"), InMemoryCluster.side("n2"));
            List<CompletableFuture<Message>> replies = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                replies.add(cluster.request("n" + (i % 3), "{\"type\":\"generate\"}"));
            }
            Set<JsonNode> ids = new HashSet<>();
            for (CompletableFuture<Message> reply : replies) {
                Message message = reply.get(5, TimeUnit.SECONDS);
                assertThat(message.type()).isEqualTo("generate_ok");
                assertThat(message.body().get("id").isIntegralNumber()).isTrue();
                ids.add(message.body().get("id"));
            }
            assertThat(ids).hasSize(3000);
            assertThat(cluster.serverMessages()).as("node-to-node messages").isZero();
        }
    }
}
