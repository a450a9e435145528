package dev.glomers.cluster.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.ClusterOptions;
import dev.glomers.cluster.load.ClientLoad.CheckContext;
import dev.glomers.cluster.load.ClientLoad.Invocation;
import dev.glomers.cluster.load.ClientLoad.MalformedReplyException;
import dev.glomers.cluster.History;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.Op;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The runner's txn-list-append plug-in: the generator, reply shapes, and runner histories through its check. */
class TxnListAppendLoadTest {

    private final TxnListAppendLoad load = new TxnListAppendLoad();
    private final History history = new History();

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static ObjectNode reply(String txn) {
        return (ObjectNode) json("{'type': 'txn_ok', 'in_reply_to': 3, 'txn': " + txn + "}");
    }

    private static Invocation txn(String value) {
        return Invocation.of("txn", json(value));
    }

    @Test
    void generatedTransactionsAreShapedAsTheWorkbenchsAndAppendsAreUniquePerKey() {
        ListAppendGenerator generator = new ListAppendGenerator(3, 4, 5);
        Random random = new Random(1);
        Set<String> appends = new HashSet<>();
        Map<Long, Integer> appendsPerKey = new HashMap<>();
        Map<Integer, Integer> lengths = new HashMap<>();
        Map<Long, Integer> mopsPerKey = new HashMap<>();
        for (int i = 0; i < 2_000; i++) {
            JsonNode txn = generator.next(random);
            lengths.merge(txn.size(), 1, Integer::sum);
            for (JsonNode mop : txn) {
                assertThat(mop.size()).isEqualTo(3);
                long key = mop.get(1).asLong();
                mopsPerKey.merge(key, 1, Integer::sum);
                if (mop.get(0).asText().equals("r")) {
                    assertThat(mop.get(2).isNull()).isTrue();
                } else {
                    assertThat(mop.get(0).asText()).isEqualTo("append");
                    assertThat(appends.add(key + "/" + mop.get(2).asLong())).as("unique append").isTrue();
                    appendsPerKey.merge(key, 1, Integer::sum);
                }
            }
        }
        assertThat(lengths).containsOnlyKeys(1, 2, 3, 4);
        // Keys retire after 5 appends: the values of a key are exactly 1..5 for all but the active keys.
        assertThat(appendsPerKey.values()).allMatch(n -> n <= 5);
        assertThat(appendsPerKey.values().stream().filter(n -> n == 5).count()).isGreaterThan(100);
        // At most the 3 keys of the pool are still taking appends.
        assertThat(appendsPerKey.values().stream().filter(n -> n < 5).count()).isLessThanOrEqualTo(3);
    }

    @Test
    void keysAreSkewedAsElleSkewsThemTowardTheLastPoolPosition() {
        ListAppendGenerator generator = new ListAppendGenerator(3, 1, 1_000_000);
        Random random = new Random(2);
        Map<Long, Integer> counts = new HashMap<>();
        for (int i = 0; i < 7_000; i++) {
            counts.merge(generator.next(random).get(0).get(1).asLong(), 1, Integer::sum);
        }
        // Positions 0, 1, 2 with weights 1, 2, 4.
        assertThat(counts.get(0L)).isBetween(850, 1_150);
        assertThat(counts.get(1L)).isBetween(1_800, 2_200);
        assertThat(counts.get(2L)).isBetween(3_700, 4_300);
    }

    @Test
    void requestsAreTxnMessagesWithTheGeneratedMicroOps() {
        Invocation invocation = load.nextInvocation(new Random(3));
        ObjectNode request = load.request(invocation);
        assertThat(request.get("type").asText()).isEqualTo("txn");
        assertThat(request.get("txn")).isEqualTo(invocation.value());
        assertThat(load.definiteErrorCodes()).contains(11, 30, 14).doesNotContain(0, 13);
    }

    @Test
    void aReplyFillsTheReadsAndLeavesTheAppends() throws Exception {
        Invocation invocation = txn("[['r', 1, null], ['append', 1, 3], ['r', 2, null]]");
        JsonNode value = load.readReply(invocation, reply("[['r', 1, [1, 2]], ['append', 1, 3], ['r', 2, null]]"));
        assertThat(value).isEqualTo(json("[['r', 1, [1, 2]], ['append', 1, 3], ['r', 2, null]]"));
    }

    @Test
    void repliesThatChangeTheTransactionAreMalformed() {
        Invocation invocation = txn("[['r', 1, null], ['append', 1, 3]]");
        for (String bad : List.of(
                "[['r', 1, [1]]]",                              // a micro-op missing
                "[['append', 1, 3], ['r', 1, [1]]]",            // reordered
                "[['r', 2, [1]], ['append', 1, 3]]",            // another key
                "[['r', 1, 5], ['append', 1, 3]]",              // a read that is no list
                "[['r', 1, [1]], ['append', 1, 4]]",            // the append changed
                "[['r', 1, [1]], ['append', 1, 3, 0]]",         // four elements
                "[['r', 1, [1]], ['append', 1, 3]], 'x': 1")) { // a field beyond txn
            assertThatThrownBy(() -> load.readReply(invocation, reply(bad)))
                    .as(bad).isInstanceOf(MalformedReplyException.class);
        }
    }

    private Op invoke(int process, String txn) {
        return history.invoke(process, "txn", json(txn), 0, "n0", false);
    }

    private List<CheckResult> check(String... models) {
        ClusterOptions options = ClusterOptions.builder("txn-list-append").command(List.of("node"))
                .consistencyModels(List.of(models)).build();
        return load.check(history, new CheckContext(options, List.of("n0")));
    }

    @Test
    void theHistoryIsCheckedWithFailedAndIndeterminateTransactionsInTheirPlace() {
        Op a = invoke(0, "[['append', 'x', 1]]");
        history.complete(a, Op.Type.OK, json("[['append', 'x', 1]]"), 1, null);
        Op failed = invoke(1, "[['append', 'x', 2]]");
        history.complete(failed, Op.Type.FAIL, failed.value(), 2, "error 30: conflict");
        invoke(2, "[['append', 'y', 1]]"); // never completes: indeterminate
        Op read = invoke(0, "[['r', 'x', null], ['r', 'y', null]]");
        history.complete(read, Op.Type.OK, json("[['r', 'x', [1]], ['r', 'y', [1]]]"), 3, null);
        CheckResult result = check().get(0);
        assertThat(result.verdict()).isEqualTo(Verdict.VALID);
        assertThat(result.summary()).contains("2 ok, 1 failed, 1 indeterminate");
        assertThat(result.details()).containsEntry("consistency-models", List.of("strict-serializable"));
    }

    @Test
    void aStaleReadFailsStrictSerializabilityButNotSerializability() {
        Op a = invoke(0, "[['append', 'x', 1]]");
        history.complete(a, Op.Type.OK, a.value(), 1, null);
        Op read = invoke(1, "[['r', 'x', null]]");
        history.complete(read, Op.Type.OK, json("[['r', 'x', []]]"), 2, null);
        CheckResult strict = check().get(0);
        assertThat(strict.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(strict.summary()).contains("G-single-realtime");
        assertThat(strict.details().get("anomalies").toString()).contains("T2 -rw-> T0");
        assertThat(check("serializable").get(0).verdict()).isEqualTo(Verdict.VALID);
    }

    @Test
    void anUnknownConsistencyModelLeavesTheVerdictUnknown() {
        Op a = invoke(0, "[['append', 'x', 1]]");
        history.complete(a, Op.Type.OK, a.value(), 1, null);
        CheckResult result = check("linearizable-ish").get(0);
        assertThat(result.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(result.summary()).contains("linearizable-ish");
    }
}
