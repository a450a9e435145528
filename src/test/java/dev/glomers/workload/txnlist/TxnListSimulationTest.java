package dev.glomers.workload.txnlist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.check.ListAppendChecker;
import dev.glomers.cluster.check.ListAppendChecker.Result;
import dev.glomers.cluster.check.ListAppendChecker.Status;
import dev.glomers.cluster.check.ListAppendChecker.Txn;
import dev.glomers.node.Body;
import dev.glomers.node.CoreDriver;
import dev.glomers.node.Message;
import dev.glomers.node.Node;
import dev.glomers.node.Wire;
import dev.glomers.raft.RaftProperties;
import dev.glomers.retry.Backoff;
import dev.glomers.retry.Retries;
import dev.glomers.sim.SimulatedClients;
import dev.glomers.sim.Simulation;
import dev.glomers.workload.linkv.LinKvWorkload;
import io.github.resilience4j.retry.Retry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** txn-list-append nodes in virtual time: answers as the workbench defines them, and strict serializable histories under faults. */
class TxnListSimulationTest {

    private static RaftProperties settings;
    private static Retry reforward;

    @BeforeAll
    static void productSettings() {
        try (Simulation sim = Simulation.start("txn-list-append", 1, 0)) {
            settings = sim.bean("n0", RaftProperties.class);
            reforward = sim.bean("n0", Retries.class).policy(LinKvWorkload.REFORWARD);
        }
    }

    @Test
    void springWiredNodesAnswerTransactionsWithTheirReads() {
        try (Simulation sim = Simulation.start("txn-list-append", 3, 9)) {
            sim.latency(Duration.ofMillis(2), Simulation.Latency.EXPONENTIAL);
            sim.runFor(Duration.ofSeconds(3));
            CompletableFuture<Message> first = sim.request("n1", "{\"type\":\"txn\",\"txn\":[[\"append\",1,10],[\"r\",1,null],[\"r\",2,null]]}");
            sim.runFor(Duration.ofSeconds(1)); // answers come within a batching window or two
            CompletableFuture<Message> second = sim.request("n2", "{\"type\":\"txn\",\"txn\":[[\"append\",1,11],[\"r\",1,null]]}");
            CompletableFuture<Message> bad = sim.request("n2", "{\"type\":\"txn\",\"txn\":[[\"w\",1,11]]}");
            sim.runFor(Duration.ofSeconds(1)); // answers come within a batching window or two
            assertThat(first.getNow(null).body().get("txn").toString()).isEqualTo("[[\"append\",1,10],[\"r\",1,[10]],[\"r\",2,[]]]");
            assertThat(second.getNow(null).body().get("txn").toString()).isEqualTo("[[\"append\",1,11],[\"r\",1,[10,11]]]");
            assertThat(bad.getNow(null).body().path("code").asInt()).isEqualTo(12);
        }
    }

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 100);
    }

    /** Transactions of 1 to 4 micro-ops over 5 keys, values unique per key (a counter). */
    static ObjectNode nextTxn(Random random, int[] counter) {
        ObjectNode request = Wire.JSON.createObjectNode().put("type", "txn");
        ArrayNode txn = request.putArray("txn");
        int length = 1 + random.nextInt(4);
        for (int i = 0; i < length; i++) {
            int key = random.nextInt(5);
            if (random.nextBoolean()) {
                txn.addArray().add("r").add(key).addNull();
            } else {
                txn.addArray().add("append").add(key).add(++counter[0]);
            }
        }
        return request;
    }

    /**
     * The calls as the runner's list-append checker takes them: txn_ok with its reads, error 11 definitely
     * did not happen, error 0 and no answer are indeterminate; lin-kv's txn-list-append gives no other answer.
     */
    static List<Txn> txns(List<SimulatedClients.Call> calls) {
        List<Txn> txns = new ArrayList<>();
        for (SimulatedClients.Call call : calls) {
            int id = txns.size();
            if (call.timedOut()) {
                txns.add(new Txn(id, call.process(), Status.INFO, call.request().get("txn"), call.invokeSeq(), Long.MAX_VALUE));
            } else if (call.reply().type().equals("txn_ok")) {
                txns.add(new Txn(id, call.process(), Status.OK, call.reply().body().get("txn"), call.invokeSeq(), call.completeSeq()));
            } else {
                int code = call.reply().body().path("code").asInt();
                assertThat(code).as("only 11 (definite) or 0 (indeterminate) errors: %s", call.reply()).isIn(0, 11);
                txns.add(new Txn(id, call.process(), code == 11 ? Status.FAIL : Status.INFO, call.request().get("txn"),
                        call.invokeSeq(), code == 11 ? call.completeSeq() : Long.MAX_VALUE));
            }
        }
        return txns;
    }

    /** The runner's check of txn-list-append, with its default model. */
    static Result check(List<SimulatedClients.Call> calls) {
        return ListAppendChecker.check(txns(calls), List.of("strict-serializable"));
    }

    static void assertStrictSerializable(List<SimulatedClients.Call> calls, long seed) {
        Result result = check(calls);
        assertThat(result.verdict()).as("seed %d: %s %s", seed, result.prohibitedAnomalies(), result.unknownReason())
                .isEqualTo(Verdict.VALID);
    }

    /** A deliberately broken txn-list-append: every node applies transactions to its own lists and replicates nothing. */
    private static void unreplicatedNode(Node node) {
        Map<Integer, ArrayNode> lists = new HashMap<>();
        node.handle("txn", ObjectNode.class, (request, body) -> {
            ArrayNode done = Wire.JSON.createArrayNode();
            for (var op : body.get("txn")) {
                ArrayNode list = lists.computeIfAbsent(op.get(1).asInt(), k -> Wire.JSON.createArrayNode());
                if (op.get(0).asText().equals("append")) {
                    list.add(op.get(2));
                    done.add(op);
                } else {
                    done.addArray().add("r").add(op.get(1)).add(list.deepCopy());
                }
            }
            node.reply(request, new TxnOk("txn_ok", done));
        });
    }

    private record TxnOk(String type, ArrayNode txn) implements Body {
    }

    /** The check the simulation tests rely on must be able to fail: unreplicated nodes are caught. */
    @Test
    void theStrictSerializabilityCheckRejectsUnreplicatedNodes() {
        try (Simulation sim = Simulation.startWired(3, 1, TxnListSimulationTest::unreplicatedNode)) {
            int[] counter = {0};
            SimulatedClients load = SimulatedClients.atRate(sim, 6, 100, Duration.ofSeconds(1), random -> nextTxn(random, counter));
            sim.runFor(Duration.ofSeconds(3));
            load.stop();
            sim.runFor(Duration.ofSeconds(1));
            Result result = check(load.calls());
            assertThat(result.verdict()).as("%s", result.anomalies().keySet()).isEqualTo(Verdict.INVALID);
            assertThatThrownBy(() -> assertStrictSerializable(load.calls(), 1)).isInstanceOf(AssertionError.class);
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void historiesUnderFaultsAreStrictSerializable(long seed) {
        int nodes = seed % 2 == 0 ? 3 : 5;
        try (Simulation sim = Simulation.startWired(nodes, seed,
                node -> CoreDriver.drive(node, () -> TxnListWorkload.core(node, settings, new Backoff(reforward))))) {
            sim.latency(Duration.ofMillis(3), Simulation.Latency.EXPONENTIAL).dropRate(0.03).duplicateRate(0.03);
            sim.runFor(Duration.ofSeconds(3));
            int[] counter = {0};
            SimulatedClients load = SimulatedClients.atRate(sim, 3 * nodes, 100, Duration.ofSeconds(1), random -> nextTxn(random, counter));
            for (int phase = 0; phase < 5; phase++) {
                sim.partitionOrHealAtRandom();
                sim.runFor(Duration.ofMillis(500 + sim.random().nextInt(1000)));
            }
            sim.heal();
            load.stop();
            sim.runFor(Duration.ofSeconds(2));

            List<SimulatedClients.Call> calls = load.calls();
            assertStrictSerializable(calls, seed);
            assertThat(calls).as("seed %d", seed).anyMatch(call -> !call.timedOut() && call.reply().type().equals("txn_ok"));
        }
    }
}
