package dev.glomers.workload.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.node.Message;
import dev.glomers.sim.Simulation;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Found by the fuzz input: a null where a map or list belongs is a malformed request (12), not a crash (13). */
class KafkaMalformedTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"type\":\"poll\",\"offsets\":null}",
            "{\"type\":\"commit_offsets\",\"offsets\":null}",
            "{\"type\":\"list_committed_offsets\",\"keys\":null}",
            "{\"type\":\"send\",\"key\":null,\"msg\":1}"})
    void aNullWhereAValueBelongsIsErrorTwelve(String request) {
        try (Simulation sim = Simulation.start("kafka", 2, 1)) {
            CompletableFuture<Message> reply = sim.request("n1", request);
            sim.runFor(Duration.ofSeconds(1));
            assertThat(reply.getNow(null).body().path("code").asInt()).isEqualTo(12);
        }
    }
}
