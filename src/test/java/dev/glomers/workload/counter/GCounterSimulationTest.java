package dev.glomers.workload.counter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.kv.KvProperties;
import dev.glomers.node.Message;
import dev.glomers.retry.Retries;
import dev.glomers.sim.Simulation;
import dev.glomers.sim.Simulation.Latency;
import dev.glomers.workload.counter.CounterHistory.Op;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped g-counter (Spring wiring, {@link GCounterCore}, the core driver) in the deterministic
 * simulation, on the runner's seq-kv, which serves stale states as the workbench's does. Every timing
 * rule (KV deadlines, read deadline, retry pacing, staleness) runs in virtual time.
 */
class GCounterSimulationTest {

    /**
     * What seq-kv really did with the nodes' compare-and-sets, seen on the wire: a {@code cas_ok} is sent
     * exactly when a compare-and-set was applied, whether or not it reaches its node.
     */
    private static final class LandedWrites {
        private final Map<String, JsonNode> casRequests = new HashMap<>();
        /** Per node, the batch stamps that landed in its key, and its count after the last one. */
        final Map<String, Set<Long>> stamps = new HashMap<>();
        final Map<String, Long> count = new HashMap<>();
        int repeatedStamps;

        private final Map<String, Long> sentAt = new HashMap<>();
        /** Compare-and-sets applied later than the KV timeout after they were sent: their sender had given up on the reply. */
        int late;
        private Simulation sim;
        private long kvTimeout;

        void watch(Simulation sim, long kvTimeoutMillis) {
            this.sim = sim;
            this.kvTimeout = kvTimeoutMillis;
            sim.observe(this::see);
        }

        private void see(Message message) {
            if (message.dest().equals("seq-kv") && message.type().equals("cas")) {
                casRequests.put(message.src() + "/" + message.msgId(), message.body());
                sentAt.put(message.src() + "/" + message.msgId(), sim.time().millis());
            } else if (message.src().equals("seq-kv") && message.type().equals("cas_ok")) {
                String request = message.dest() + "/" + message.inReplyTo();
                if (sim.time().millis() - sentAt.get(request) > kvTimeout) {
                    late++;
                }
                JsonNode to = casRequests.get(request).get("to");
                if (!stamps.computeIfAbsent(message.dest(), node -> new HashSet<>()).add(to.get("batch").asLong())) {
                    repeatedStamps++;
                }
                count.merge(message.dest(), to.get("count").asLong(), Math::max);
            }
        }

        long total() {
            return count.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static long finalRead(Simulation sim, String node) {
        CounterHistory history = new CounterHistory(sim);
        Op read = history.read(node);
        assertThat(sim.runUntil(() -> read.reply != null, Duration.ofSeconds(5))).as("final read on %s answered", node).isTrue();
        assertThat(read.ok()).as("final read on %s: %s", node, read).isTrue();
        assertThat(read.reply.body().size()).as("read_ok carries type, value, in_reply_to only").isEqualTo(3);
        return read.value();
    }

    /**
     * A client load of adds and reads on random nodes for 8 s under drops, duplicates, reordering and
     * partitions that change every 2 s, then healing and a quiet 10 s, then final reads.
     */
    private static void runLoad(Simulation sim, CounterHistory history, long staleness) {
        List<String> nodes = sim.nodeIds();
        for (int second = 0; second < 8; second++) {
            if (second % 2 == 0) {
                sim.partition(List.of(nodes.get(sim.random().nextInt(nodes.size()))));
            } else {
                sim.heal();
            }
            for (int i = 0; i < 40; i++) {
                sim.runFor(Duration.ofMillis(sim.random().nextInt(50)));
                String node = nodes.get(sim.random().nextInt(nodes.size()));
                if (sim.random().nextInt(3) == 0) {
                    history.add(node, sim.random().nextInt(10));
                } else {
                    history.read(node);
                }
            }
        }
        sim.heal().dropRate(0).duplicateRate(0);
        sim.runFor(Duration.ofSeconds(10));

        for (Op op : history.ops) {
            assertThat(op.reply).as("every operation is answered (within the client's 5 s): %s", op).isNotNull();
            assertThat(op.completedAt - op.invokedAt).as("answered within 5 s: %s", op).isLessThan(5000);
            if (op.failed()) {
                assertThat(op.errorCode()).as("a counter operation in doubt is never a definite error: %s", op).isIn(0, 13);
            }
        }
        for (Op read : history.reads()) {
            if (read.ok()) {
                assertThat(read.value()).as("%s reflects every add acknowledged %d ms before it arrived", read, staleness)
                        .isGreaterThanOrEqualTo(history.acknowledgedBy(read.invokedAt - staleness));
                assertThat(read.value()).as("%s counts only adds that were invoked", read)
                        .isLessThanOrEqualTo(history.possibleBy(read.completedAt));
            }
        }
    }

    private static void assertExactAndSilent(Simulation sim, CounterHistory history, LandedWrites landed) {
        long n0 = finalRead(sim, "n0");
        for (String node : sim.nodeIds()) {
            assertThat(finalRead(sim, node)).as("final read on %s", node).isEqualTo(n0);
        }
        assertThat(landed.repeatedStamps).as("no batch landed twice").isZero();
        assertThat(n0).as("reads are the sum of the nodes' keys as seq-kv applied them").isEqualTo(landed.total());
        long inDoubt = history.adds().stream().filter(Op::failed).mapToLong(op -> op.delta).sum();
        assertThat(n0).as("every acknowledged add counted once, nothing counted twice")
                .isBetween(history.acknowledged(), history.acknowledged() + inDoubt);

        long before = sim.allMessages();
        sim.runFor(Duration.ofMinutes(5));
        assertThat(sim.allMessages()).as("no messages while idle").isEqualTo(before);
        assertThat(sim.time().pending()).as("nothing keeps waking the nodes up").isZero();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void strictReadsSeeEveryAddAcknowledgedBeforeThemAndFinalReadsAreExactAfterFaults(long seed) {
        try (Simulation sim = Simulation.start("g-counter", 3, seed)) {
            sim.latency(Duration.ofMillis(10), Latency.EXPONENTIAL).dropRate(0.05).duplicateRate(0.05);
            LandedWrites landed = new LandedWrites();
            landed.watch(sim, 1000);
            CounterHistory history = new CounterHistory(sim);
            runLoad(sim, history, 0);
            assertThat(history.acknowledged()).as("the load did add something").isPositive();
            assertExactAndSilent(sim, history, landed);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23})
    void writesThatLandAfterTheirSenderGaveUpOnThemAreNeverCountedTwice(long seed) {
        // Round trips to seq-kv often outlast a 40 ms KV timeout: compare-and-sets land after their node
        // stopped waiting, read-backs decide, retries write on what they read.
        try (Simulation sim = Simulation.start("g-counter", 3, seed, "--glomers.kv.timeout=40ms")) {
            sim.latency(Duration.ofMillis(15), Latency.EXPONENTIAL).dropRate(0.02).duplicateRate(0.05);
            LandedWrites landed = new LandedWrites();
            landed.watch(sim, 40);
            CounterHistory history = new CounterHistory(sim);
            runLoad(sim, history, 0);
            assertThat(landed.late).as("writes that landed after their sender's deadline").isPositive();
            assertExactAndSilent(sim, history, landed);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {5, 6, 7})
    void frugalReadsRespectTheStalenessBoundInVirtualTimeAndFinalReadsAreExact(long seed) {
        try (Simulation sim = Simulation.start("g-counter,frugal", 3, seed)) {
            sim.latency(Duration.ofMillis(10), Latency.EXPONENTIAL).dropRate(0.05).duplicateRate(0.05);
            LandedWrites landed = new LandedWrites();
            landed.watch(sim, 1000);
            CounterHistory history = new CounterHistory(sim);
            runLoad(sim, history, 500);
            assertExactAndSilent(sim, history, landed);
        }
    }

    @Test
    void aReadRightAfterAnAddElsewhereSeesItThoughSeqKvServesStaleStates() {
        try (Simulation sim = Simulation.start("g-counter", 3, 8)) {
            sim.latency(Duration.ofMillis(5), Latency.UNIFORM);
            CounterHistory history = new CounterHistory(sim);
            long sum = 0;
            for (int i = 1; i <= 30; i++) {
                Op add = history.add("n" + (i % 3), i);
                assertThat(sim.runUntil(() -> add.reply != null, Duration.ofSeconds(5))).isTrue();
                assertThat(add.ok()).isTrue();
                sum += i;
                // Without the write before reading, the reader's seq-kv view could be many states old.
                Op read = history.read("n" + ((i + 1) % 3));
                assertThat(sim.runUntil(() -> read.reply != null, Duration.ofSeconds(5))).isTrue();
                assertThat(read.value()).as("read %d", i).isEqualTo(sum);
            }
        }
    }

    @Test
    void withAStalenessBoundReadsInsideItStayLocalAndAReadAfterItSeesEveryEarlierAdd() {
        try (Simulation sim = Simulation.start("g-counter", 3, 9, "--glomers.counter.read-staleness=400ms")) {
            sim.latency(Duration.ofMillis(5), Latency.CONSTANT);
            CounterHistory history = new CounterHistory(sim);
            long sum = 0;
            for (int round = 1; round <= 3; round++) {
                for (int i = 0; i < 5; i++) {
                    history.add("n" + (i % 3), round);
                    sum += round;
                }
                sim.runFor(Duration.ofMillis(450));
                assertThat(history.adds()).allMatch(Op::ok);
                Op fresh = history.read("n0");
                sim.runFor(Duration.ofMillis(100));
                assertThat(fresh.value()).as("a read more than the bound after the adds").isEqualTo(sum);
                long before = sim.serverMessages();
                Op local = history.read("n0");
                sim.runFor(Duration.ofMillis(200));
                assertThat(local.value()).isEqualTo(sum);
                assertThat(local.completedAt).as("answered at once").isEqualTo(local.invokedAt);
                assertThat(sim.serverMessages()).as("a read inside the bound stays local").isEqualTo(before);
            }
        }
    }

    @Test
    void aReadAnswersErrorZeroAtItsDeadlineWhenSeqKvIsCutOffAndTheCounterResumesAfterwards() {
        try (Simulation sim = Simulation.start("g-counter", 2, 10)) {
            sim.latency(Duration.ofMillis(5), Latency.CONSTANT);
            CounterHistory history = new CounterHistory(sim);
            Op first = history.add("n0", 5);
            sim.runFor(Duration.ofSeconds(1));
            assertThat(first.ok()).isTrue();

            sim.dropRate(1); // every server-to-server message is lost, seq-kv's included
            Op read = history.read("n1");
            Op addWhileCut = history.add("n1", 3);
            sim.runFor(Duration.ofSeconds(6));
            assertThat(read.errorCode()).isZero();
            assertThat(read.completedAt - read.invokedAt).as("the read deadline, 4 s, in virtual time").isEqualTo(4000);
            assertThat(addWhileCut.reply).as("the add's batch is still being retried (counter-flush)").isNull();

            sim.dropRate(0);
            sim.runFor(Duration.ofSeconds(5));
            assertThat(addWhileCut.ok()).as("the retried batch landed once seq-kv was reachable: %s", addWhileCut).isTrue();
            assertThat(finalRead(sim, "n0")).isEqualTo(8);
            assertThat(finalRead(sim, "n1")).isEqualTo(8);
        }
    }

    @Test
    void negativeOverflowingAndMistypedDeltasAreRejectedAsMalformedAndTheNodeGoesOn() {
        try (Simulation sim = Simulation.start("g-counter", 1, 11)) {
            CounterHistory history = new CounterHistory(sim);
            Op negative = history.add("n0", -1);
            sim.runFor(Duration.ofMillis(100));
            assertThat(negative.errorCode()).isEqualTo(12);
            Op huge = history.add("n0", Long.MAX_VALUE);
            sim.runFor(Duration.ofMillis(100));
            assertThat(huge.ok()).isTrue();
            Op overflow = history.add("n0", 1);
            sim.runFor(Duration.ofMillis(100));
            assertThat(overflow.errorCode()).as("overflow").isEqualTo(12);
            var mistyped = sim.request("n0", "{\"type\":\"add\",\"delta\":\"x\"}");
            sim.runFor(Duration.ofMillis(100));
            assertThat(mistyped.getNow(null).body().get("code").asInt()).isEqualTo(12);
            assertThat(finalRead(sim, "n0")).as("the node still serves").isEqualTo(Long.MAX_VALUE);
        }
    }

    @Test
    void settingsComeFromTheGCounterBlocksOnlyAndAreValidated() {
        try (Simulation sim = Simulation.start("g-counter", 1, 12)) {
            assertThat(sim.bean("n0", GCounterProperties.class))
                    .isEqualTo(new GCounterProperties(Duration.ofSeconds(4), Duration.ZERO));
            assertThat(sim.bean("n0", KvProperties.class).timeout()).isEqualTo(Duration.ofSeconds(1));
        }
        try (Simulation sim = Simulation.start("g-counter,frugal", 1, 12)) {
            assertThat(sim.bean("n0", GCounterProperties.class).readStaleness()).isEqualTo(Duration.ofMillis(500));
        }
        try (Simulation sim = Simulation.start("frugal,g-counter", 1, 12)) {
            assertThat(sim.bean("n0", GCounterProperties.class).readStaleness()).as("profile order does not matter")
                    .isEqualTo(Duration.ofMillis(500));
        }
        assertThatThrownBy(() -> Simulation.start("g-counter", 1, 12, "--glomers.counter.read-staleness=-1ms").close())
                .hasStackTraceContaining("glomers.counter.read-staleness");
        try (Simulation sim = Simulation.start("pn-counter", 1, 12)) {
            assertThatThrownBy(() -> sim.bean("n0", Retries.class).policy(GCounterWorkload.FLUSH))
                    .as("the g-counter's policies exist under its profile only").isInstanceOf(IllegalStateException.class);
        }
    }
}
