package dev.glomers.workload.gset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.node.Message;
import dev.glomers.sim.Simulation;
import dev.glomers.sim.Simulation.Latency;
import dev.glomers.workload.crdt.CrdtProperties;
import dev.glomers.workload.crdt.GossipLog;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shipped g-set ({@link dev.glomers.workload.crdt.CrdtCore} over a {@link GSetState}) in the deterministic simulation. */
class GSetSimulationTest {

    private static JsonNode readValue(Simulation sim, String node) {
        CompletableFuture<Message> reply = sim.request(node, "{\"type\":\"read\"}");
        sim.runFor(Duration.ofMillis(1));
        Message read = reply.getNow(null);
        assertThat(read).as("reads never leave the node").isNotNull();
        assertThat(read.type()).isEqualTo("read_ok");
        return read.body().get("value");
    }

    private static Set<Long> read(Simulation sim, String node) {
        Set<Long> values = new HashSet<>();
        for (JsonNode element : readValue(sim, node)) {
            assertThat(values.add(element.asLong())).as("no element twice").isTrue();
        }
        return values;
    }

    private static void add(Simulation sim, String node, String element) {
        CompletableFuture<Message> reply = sim.request(node, "{\"type\":\"add\",\"element\":" + element + "}");
        sim.runFor(Duration.ofMillis(1));
        assertThat(reply.getNow(null).type()).as("adds stay available in a partition").isEqualTo("add_ok");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void elementsAddedInPartitionsReachEveryNodeSoonAfterHealingThenGossipFallsSilent(long seed) {
        try (Simulation sim = Simulation.start("g-set", 3, seed)) {
            sim.latency(Duration.ofMillis(20), Latency.EXPONENTIAL).dropRate(0.05).duplicateRate(0.05);
            GossipLog gossip = GossipLog.watch(sim);
            Set<Long> added = new HashSet<>();
            Set<Long> addedOnN2 = new HashSet<>();
            for (long element = 0; element < 300; element++) {
                if (element == 100) {
                    sim.partition(List.of("n0", "n1"), List.of("n2"));
                } else if (element == 200) {
                    sim.heal().partition(List.of("n0"));
                }
                sim.runFor(Duration.ofMillis(sim.random().nextInt(50)));
                String node = "n" + sim.random().nextInt(3);
                add(sim, node, Long.toString(element));
                added.add(element);
            }
            assertThat(read(sim, "n0")).as("n0 is cut off, it lacks the others' latest elements").isNotEqualTo(added);
            long healAt = gossip.now();
            sim.heal();
            assertThat(GossipLog.within(sim, Duration.ofSeconds(4), () -> sim.nodeIds().stream().allMatch(node -> read(sim, node).equals(added))))
                    .as("every node holds every element within 4 s of healing").isTrue();
            gossip.assertSilentForGoodAfter(healAt);
            gossip.assertOnePerLinkPerInterval(250);
        }
    }

    @Test
    void anyJsonValueIsAnElement() {
        try (Simulation sim = Simulation.start("g-set", 2, 4)) {
            sim.latency(Duration.ofMillis(5), Latency.CONSTANT);
            add(sim, "n0", "\"x\"");
            add(sim, "n0", "{\"k\":[1,2]}");
            sim.runFor(Duration.ofMillis(300));
            assertThat(readValue(sim, "n1").toString()).isEqualTo("[\"x\",{\"k\":[1,2]}]");
        }
    }

    @Test
    void gossipSettingsComeFromTheCrdtBlockAndAreValidated() {
        try (Simulation sim = Simulation.start("g-set", 1, 5)) {
            assertThat(sim.bean("n0", CrdtProperties.class)).isEqualTo(new CrdtProperties(Duration.ofMillis(250), 2));
        }
        assertThatThrownBy(() -> Simulation.start("g-set", 1, 5, "--glomers.crdt.resend-ticks=0").close())
                .hasStackTraceContaining("glomers.crdt.resend-ticks");
    }
}
