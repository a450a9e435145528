package dev.glomers.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.node.CoreDriver;
import dev.glomers.node.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Group commit across a burst, in virtual time: inputs queued together on the event loop are all handled
 * before the sync starts, so their writes share one fsync, and nothing any of them asked for leaves before
 * it. (A driver that synced right after the first step that wrote needs two here: that step's own, then one
 * for the rest.)
 */
class BurstCommitTest {

    private static final int BURST = 8;

    @Test
    void inputsQueuedTogetherShareOneSyncAndNothingLeavesBeforeIt() {
        List<CoreDriver> drivers = new ArrayList<>();
        try (Simulation sim = Simulation.startWiredDurable(2, 7,
                node -> drivers.add(CoreDriver.drive(node, DurableDriverTest.WritingCore::new)))) {
            sim.syncLatency(Duration.ofMillis(10));
            List<String> seen = new ArrayList<>();
            sim.observe(message -> seen.add(message.src() + ">" + message.dest() + " " + message.type()));
            long fsyncsBefore = sim.disk("n0").fileSyncs();

            List<CompletableFuture<Message>> burst = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                burst.add(sim.request("n0", "{\"type\":\"write\"}"));
            }
            burst.add(sim.request("n0", "{\"type\":\"hello\"}")); // writes nothing, still waits its turn
            sim.runFor(Duration.ofMillis(4)); // a sync takes at least 5 ms (mean 10, drawn in [5, 15])
            assertThat(seen).isEmpty();
            assertThat(burst).noneMatch(CompletableFuture::isDone);
            assertThat(sim.disk("n0").fileSyncs() - fsyncsBefore).isZero();

            sim.runFor(Duration.ofMillis(20));
            assertThat(burst).allSatisfy(reply -> assertThat(reply).isDone());
            assertThat(burst.get(BURST).join().type()).isEqualTo("hello_ok");
            assertThat(sim.disk("n0").fileSyncs() - fsyncsBefore).as("fsyncs for a burst of %d writes", BURST).isEqualTo(1);
            assertThat(drivers.get(0).syncs()).isEqualTo(1);
            assertThat(seen).filteredOn(line -> line.startsWith("n0>n1")).hasSize(BURST);
        }
    }

    @Test
    void aWriteAloneIsSyncedAtOnceWithoutWaitingForLaterInput() {
        try (Simulation sim = Simulation.startWiredDurable(2, 8, node -> CoreDriver.drive(node, DurableDriverTest.WritingCore::new))) {
            sim.syncLatency(Duration.ofMillis(10));
            CompletableFuture<Message> write = sim.request("n0", "{\"type\":\"write\"}");
            sim.runFor(Duration.ofMillis(15)); // one sync at most 15 ms
            assertThat(write.join().type()).isEqualTo("write_ok");
        }
    }
}
