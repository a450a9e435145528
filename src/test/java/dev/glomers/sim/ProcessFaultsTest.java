package dev.glomers.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.node.Message;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** crash, restart, pause and resume on whole Spring-wired durable nodes. */
class ProcessFaultsTest {

    @Test
    void aPausedNodeRunsNothingAndHandlesWhatArrivedAfterItsResume() {
        try (Simulation sim = Simulation.startDurable("echo", 2, 5)) {
            sim.pause("n1");
            CompletableFuture<Message> echo = sim.request("n1", "{\"type\":\"echo\",\"echo\":\"later\"}");
            sim.runFor(Duration.ofSeconds(3));
            assertThat(echo).isNotDone();
            long before = sim.node("n1").now();
            sim.resume("n1");
            sim.runFor(Duration.ofMillis(1));
            assertThat(echo.join().body().path("echo").asText()).isEqualTo("later");
            assertThat(sim.node("n1").now()).isGreaterThanOrEqualTo(before);
        }
    }

    @Test
    void aCrashedSpringNodeIsSilentUntilRestartedWithTheSameIdAndDisk() {
        try (Simulation sim = Simulation.startDurable("echo", 3, 6)) {
            SimulatedDisk disk = sim.disk("n2");
            assertThat(disk.list()).contains("identity");
            sim.crash("n2");
            CompletableFuture<Message> lost = sim.request("n2", "{\"type\":\"echo\",\"echo\":\"x\"}");
            sim.runFor(Duration.ofSeconds(1));
            assertThat(lost).isNotDone();
            CompletableFuture<Message> init = sim.restart("n2");
            sim.runFor(Duration.ofMillis(1));
            assertThat(init.join().type()).isEqualTo("init_ok");
            assertThat(sim.disk("n2")).isSameAs(disk);
            CompletableFuture<Message> echo = sim.request("n2", "{\"type\":\"echo\",\"echo\":\"y\"}");
            sim.runFor(Duration.ofMillis(1));
            assertThat(echo.join().body().path("echo").asText()).isEqualTo("y");
            assertThat(sim.node("n2").id()).isEqualTo("n2");
        }
    }
}
