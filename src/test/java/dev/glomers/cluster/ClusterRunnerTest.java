package dev.glomers.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.fakes.BroadcastNode;
import dev.glomers.cluster.fakes.CounterNode;
import dev.glomers.cluster.fakes.EchoNode;
import dev.glomers.cluster.fakes.Fakes;
import dev.glomers.cluster.fakes.UniqueIdsNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The runner against small fake nodes (real processes over pipes): it must pass the correct ones and
 * catch the broken ones, and count messages exactly as the workbench does.
 */
@Timeout(60)
class ClusterRunnerTest {

    @TempDir
    Path store;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    private ClusterResult run(ClusterOptions options) {
        ClusterResult result = ClusterRunner.run(options, new PrintStream(log, true));
        System.out.println(result.summary());
        return result;
    }

    @Test
    void aCorrectEchoNodeIsValidAndOnlyClientMessagesAreCounted() throws Exception {
        ClusterResult r = run(Fakes.options("echo", store, EchoNode.class, "correct").build());
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        assertThat(r.opCount()).isGreaterThan(20);
        // one request and one reply per operation, plus init / init_ok; nothing between servers
        assertThat(r.serverMsgsPerOp()).isZero();
        assertThat(r.net()).extractingByKey("all").isEqualTo(Map.of("send-count", 2 * r.opCount() + 2,
                "recv-count", 2 * r.opCount() + 2, "msg-count", 2 * r.opCount() + 2,
                "msgs-per-op", MessageStats.msgsPerOp(2 * r.opCount() + 2, r.opCount())));
        assertThat(r.runDir().resolve("n0.log")).exists();
        assertThat(Files.readString(r.runDir().resolve("results.json"))).contains("\"valid?\" : true");
    }

    @Test
    void anEchoThatChangesThePayloadIsInvalid() {
        ClusterResult r = run(Fakes.options("echo", store, EchoNode.class, "wrong").build());
        assertThat(r.check("echo").verdict()).isEqualTo(Verdict.INVALID);
        assertThat(r.isValid()).isFalse();
    }

    @Test
    void aReplyWithAnExtraFieldIsMalformed() {
        ClusterResult r = run(Fakes.options("echo", store, EchoNode.class, "extra").build());
        assertThat(r.check("protocol").verdict()).isEqualTo(Verdict.INVALID);
        assertThat(r.check("protocol").summary()).contains("unexpected field node");
        assertThat(r.check("echo").verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void aNodeThatLogsToStdoutIsSilencedAndTheRunInvalid() {
        ClusterResult r = run(Fakes.options("echo", store, EchoNode.class, "noisy").timeLimitSeconds(1).rate(5)
                .build());
        assertThat(r.check("protocol").verdict()).isEqualTo(Verdict.INVALID);
        assertThat(r.check("protocol").summary()).contains("non-JSON line", "n0.stdout-rejected");
        assertThat(r.runDir().resolve("n0.stdout-rejected")).content().startsWith("INFO handling echo\n");
        assertThat(r.check("availability").details().get("info-count")).isEqualTo(1L);
        assertThat(r.check("availability").details().get("by-f")).isEqualTo(Map.of("echo", Map.of("info", 1L)));
    }

    @Test
    void uniqueIdsUnderPartitionsWithTotalAvailability() {
        ClusterResult good = run(Fakes.options("unique-ids", store, UniqueIdsNode.class, "correct").nodeCount(3)
                .rate(100).partitionNemesis(true).nemesisIntervalSeconds(0.3).availability(1.0).build());
        assertThat(good.verdict()).isEqualTo(Verdict.VALID);
        assertThat(good.serverMsgsPerOp()).isZero();

        ClusterResult bad = run(Fakes.options("unique-ids", store, UniqueIdsNode.class, "counter").nodeCount(3)
                .rate(100).build());
        assertThat(bad.check("unique-ids").verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void finalQuietEndsTheFaultsBeforeTheClientsStopSoTheLastAllClearIsMeasured() {
        ClusterResult r = run(Fakes.options("unique-ids", store, UniqueIdsNode.class, "correct").nodeCount(3)
                .rate(50).timeLimitSeconds(6).partitionNemesis(true).nemesisIntervalSeconds(0.1)
                .finalQuietSeconds(4.5).build());
        List<Op> nemesis = r.history().ops().stream().filter(op -> !op.isClientOp()).toList();
        Op last = nemesis.get(nemesis.size() - 1);
        // faults flip every 0-0.2 s until 1.5 s, then never again: the last one heals, 3 s or more before the end
        // (a loaded machine may wake the stop late; without --final-quiet the nemesis would go on to 6 s)
        assertThat(nemesis.size()).isGreaterThan(2);
        assertThat(last.f()).isEqualTo("stop-partition");
        assertThat(last.timeNanos()).isBetween(1_200_000_000L, 2_500_000_000L);
        Recovery.Report recovery = r.recovery();
        assertThat(recovery.measured()).extracting(Recovery.AllClear::atNanos).endsWith(last.timeNanos());
        assertThat(recovery.afterClientPhase()).isZero();
        assertThat(recovery.notServing()).isEmpty();
        assertThat(r.summary()).contains("recovery").contains("every node serving within");
    }

    @Test
    void broadcastCountsForwardsExactlyAndSendsTheTopologyFirst() {
        ClusterResult r = run(Fakes.options("broadcast", store, BroadcastNode.class, "once").nodeCount(3)
                .timeLimitSeconds(2).build());
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        long broadcasts = r.check("set-full").details().get("attempt-count") instanceof Integer n ? n : -1;
        assertThat(broadcasts).isPositive();
        // each new value is forwarded once to each of the 2 other nodes
        assertThat(r.net()).extractingByKey("servers").extracting("msg-count").isEqualTo(2 * broadcasts);
        // plus 2 messages per operation, init and topology exchanges (2 each per node)
        assertThat(r.net()).extractingByKey("all").extracting("msg-count")
                .isEqualTo(2 * broadcasts + 2 * r.opCount() + 2 * 3 + 2 * 3);
        assertThat(r.stableLatencies()).containsKeys("0", "0.5", "0.95", "0.99", "1");
    }

    @Test
    void broadcastThatForwardsOnlyOnceLosesValuesUnderPartitions() {
        ClusterResult r = run(Fakes.options("broadcast", store, BroadcastNode.class, "once").nodeCount(3)
                .timeLimitSeconds(3).partitionNemesis(true).nemesisIntervalSeconds(0.3).latencyMillis(20).build());
        assertThat(r.check("set-full").verdict()).isEqualTo(Verdict.INVALID);
        assertThat((Integer) r.check("set-full").details().get("lost-count")).isPositive();
    }

    @Test
    void broadcastThatGossipsSurvivesPartitions() {
        ClusterResult r = run(Fakes.options("broadcast", store, BroadcastNode.class, "gossip").nodeCount(3)
                .timeLimitSeconds(3).partitionNemesis(true).nemesisIntervalSeconds(0.3).latencyMillis(20).build());
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        assertThat(r.history().ops()).anyMatch(op -> op.f().equals("start-partition"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"g-counter", "pn-counter"})
    void aCounterThatReadsSeqKvFreshIsValid(String workload) {
        ClusterResult r = run(Fakes.options(workload, store, CounterNode.class, "fresh").nodeCount(3)
                .timeLimitSeconds(3).rate(30).latencyMillis(5).partitionNemesis(true).nemesisIntervalSeconds(0.5)
                .build());
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        assertThat(r.serverMsgsPerOp()).isPositive(); // seq-kv traffic is server traffic
    }

    @Test
    void aCounterThatTrustsAStaleSeqKvReadIsInvalid() {
        ClusterResult r = run(Fakes.options("g-counter", store, CounterNode.class, "stale").nodeCount(3)
                .timeLimitSeconds(3).rate(30).latencyMillis(5).build());
        assertThat(r.check("counter").verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void aNodeThatExitsBeforeInitFailsAtOnceAndItsStderrIsKept() throws Exception {
        List<String> dying = List.of("/bin/sh", "-c", "echo 'no workload selected' >&2; exit 3");
        long started = System.nanoTime();
        ClusterResult r = run(ClusterOptions.builder("echo").command(dying).storeDir(store).logStderr(true).build());
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(NodeSet.INIT_TIMEOUT);
        assertThat(r.setupError()).contains("n0 exited before answering init");
        assertThat(Files.readString(r.runDir().resolve("n0.log"))).contains("no workload selected");
        assertThat(log.toString()).contains("n0: no workload selected"); // --log-stderr echoes it
    }

    @Test
    void aNodeThatCannotStartFailsTheSetUpClearly() {
        ClusterResult r = run(ClusterOptions.builder("echo").command(List.of(store.resolve("no-such-node").toString()))
                .storeDir(store).build());
        assertThat(r.isValid()).isFalse();
        assertThat(r.setupError()).contains("could not start the nodes");
    }
}
