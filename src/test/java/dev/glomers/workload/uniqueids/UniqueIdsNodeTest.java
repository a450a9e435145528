package dev.glomers.workload.uniqueids;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.node.Message;
import dev.glomers.sim.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Whole unique-ids nodes, wired by Spring, in the simulation. */
class UniqueIdsNodeTest {

    @Test
    void idsAreUniqueAcrossTheClusterEvenWhenEveryNodeIsCutOffAndNoNodeTalksToAnother() {
        try (Simulation sim = Simulation.start("unique-ids", 3, 5)) {
            sim.partition(List.of("n0"), List.of("n1"), List.of("n2"));
            List<CompletableFuture<Message>> replies = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                replies.add(sim.request("n" + (i % 3), "{\"type\":\"generate\"}"));
                if (i % 100 == 0) {
                    sim.runFor(Duration.ofMillis(1)); // ids are drawn across virtual time too
                }
            }
            sim.runFor(Duration.ofMillis(10));
            Set<JsonNode> ids = new HashSet<>();
            for (CompletableFuture<Message> reply : replies) {
                Message message = reply.getNow(null);
                assertThat(message).as("every request answered at once").isNotNull();
                assertThat(message.type()).isEqualTo("generate_ok");
                assertThat(message.body().get("id").isIntegralNumber()).isTrue();
                ids.add(message.body().get("id"));
            }
            assertThat(ids).hasSize(3000);
            assertThat(sim.serverMessages()).as("node-to-node messages").isZero();
        }
    }
}
