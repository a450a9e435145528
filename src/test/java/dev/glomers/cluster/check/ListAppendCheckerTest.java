package dev.glomers.cluster.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.check.ListAppendChecker.Result;
import dev.glomers.cluster.check.ListAppendChecker.Status;
import dev.glomers.cluster.check.ListAppendChecker.Txn;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hand-made list-append histories, one per anomaly class, and valid ones. Transactions are written as
 * JSON with single quotes. {@link #serial} runs transactions one after another (each completes before
 * the next is invoked, so real-time order holds between them); {@link #concurrent} invokes all of them
 * before any completes (no real-time order among them).
 */
class ListAppendCheckerTest {

    private final List<Txn> txns = new ArrayList<>();
    private long position = 0;

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** Ok transactions, each invoked after the previous one completed. */
    private void serial(String... values) {
        for (String value : values) {
            long invoked = position++;
            txns.add(new Txn(txns.size(), txns.size() % 5, Status.OK, json(value), invoked, position++));
        }
    }

    /** Ok transactions, all invoked before any completes. */
    private void concurrent(String... values) {
        long first = position;
        position += values.length;
        for (int i = 0; i < values.length; i++) {
            txns.add(new Txn(txns.size(), txns.size() % 5, Status.OK, json(values[i]), first + i, position++));
        }
    }

    /** A transaction that failed (definitely did not happen), or never completed (indeterminate). */
    private void ended(Status status, String invoked) {
        long at = position++;
        txns.add(new Txn(txns.size(), txns.size() % 5, status, json(invoked), at,
                status == Status.FAIL ? position++ : Long.MAX_VALUE));
    }

    private Result check(String... models) {
        return ListAppendChecker.check(txns, List.of(models));
    }

    @Test
    void aSerialHistoryIsStrictSerializable() {
        serial("[['append', 'x', 1], ['r', 'y', null]]",
                "[['r', 'x', [1]], ['append', 'x', 2], ['append', 'y', 1]]",
                "[['r', 'x', [1, 2]], ['r', 'y', [1]]]",
                "[['append', 'x', 3], ['r', 'x', [1, 2, 3]]]");
        Result result = check("strict-serializable");
        assertThat(result.anomalies()).isEmpty();
        assertThat(result.verdict()).isEqualTo(Verdict.VALID);
        assertThat(result.ok()).isEqualTo(4);
    }

    @Test
    void concurrentTransactionsMayCommitInAnyOrderThatTheReadsAgreeOn() {
        concurrent("[['append', 'x', 1]]", "[['append', 'x', 2]]", "[['r', 'x', [2, 1]]]");
        serial("[['r', 'x', [2, 1]], ['r', 'y', []]]");
        assertThat(check("strict-serializable").verdict()).isEqualTo(Verdict.VALID);
    }

    @Test
    void g0WriteCycle() {
        concurrent("[['append', 'x', 1], ['append', 'y', 1]]",
                "[['append', 'x', 2], ['append', 'y', 2]]",
                "[['r', 'x', [1, 2]], ['r', 'y', [2, 1]]]");
        Result result = check("read-uncommitted");
        assertThat(result.anomalies()).containsOnlyKeys("G0");
        assertThat(result.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(result.anomalies().get("G0").get(0).explanation())
                .contains("T1 -ww-> T0").contains("T0 -ww-> T1").contains("right after");
        assertThat(result.anomalies().get("G0").get(0).txns()).hasSize(2);
    }

    @Test
    void g1aAbortedRead() {
        ended(Status.FAIL, "[['append', 'x', 1]]");
        serial("[['r', 'x', [1]]]", "[['append', 'y', 1]]", "[['r', 'y', [1]]]");
        Result result = check("read-committed");
        assertThat(result.prohibitedAnomalies()).containsOnlyKeys("G1a");
        assertThat(result.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(check("read-uncommitted").verdict()).isEqualTo(Verdict.VALID);
    }

    @Test
    void g1bIntermediateRead() {
        concurrent("[['append', 'x', 1], ['append', 'x', 2]]", "[['r', 'x', [1]]]");
        serial("[['r', 'x', [1, 2]]]");
        Result result = check("read-committed");
        assertThat(result.prohibitedAnomalies()).containsOnlyKeys("G1b");
        assertThat(result.anomalies().get("G1b").get(0).txns()).hasSize(2);
    }

    @Test
    void g1cCircularInformationFlow() {
        concurrent("[['append', 'x', 1], ['r', 'y', [1]]]", "[['append', 'y', 1], ['r', 'x', [1]]]");
        Result result = check("read-committed");
        assertThat(result.anomalies()).containsOnlyKeys("G1c");
        assertThat(result.anomalies().get("G1c").get(0).explanation()).contains("-wr->");
        assertThat(check("read-uncommitted").verdict()).isEqualTo(Verdict.VALID);
    }

    @Test
    void gSingleReadSkew() {
        concurrent("[['append', 'x', 1], ['append', 'y', 1]]", "[['r', 'x', []], ['r', 'y', [1]]]");
        Result result = check("serializable");
        assertThat(result.anomalies()).containsOnlyKeys("G-single");
        assertThat(result.anomalies().get("G-single").get(0).explanation()).contains("T1 -rw-> T0").contains("empty");
        assertThat(check("read-committed").verdict()).isEqualTo(Verdict.VALID);
        assertThat(check("snapshot-isolation").verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void g2ItemWriteSkew() {
        concurrent("[['r', 'x', []], ['append', 'y', 1]]", "[['r', 'y', []], ['append', 'x', 1]]");
        Result result = check("serializable");
        assertThat(result.anomalies()).containsOnlyKeys("G2-item");
        assertThat(result.verdict()).isEqualTo(Verdict.INVALID);
        // Snapshot isolation allows write skew.
        assertThat(check("snapshot-isolation").verdict()).isEqualTo(Verdict.VALID);
    }

    @Test
    void gNonadjacentRwEdges() {
        concurrent("[['r', 'a', []], ['r', 'd', [1]]]",
                "[['append', 'a', 1], ['append', 'b', 1]]",
                "[['r', 'b', [1]], ['r', 'c', []]]",
                "[['append', 'c', 1], ['append', 'd', 1]]");
        Result result = check("snapshot-isolation");
        assertThat(result.anomalies()).containsOnlyKeys("G-nonadjacent");
        assertThat(result.verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void staleReadIsGSingleRealtime() {
        serial("[['append', 'x', 1]]", "[['r', 'x', []]]");
        Result strict = check("strict-serializable");
        assertThat(strict.anomalies()).containsOnlyKeys("G-single-realtime");
        assertThat(strict.anomalies().get("G-single-realtime").get(0).explanation())
                .contains("T0 -realtime-> T1").contains("T1 -rw-> T0");
        assertThat(strict.verdict()).isEqualTo(Verdict.INVALID);
        // Without real time, reading before the append is a fine serial order.
        assertThat(check("serializable").verdict()).isEqualTo(Verdict.VALID);
    }

    @Test
    void aReadMissingACompletedAppendIsGSingleRealtimeToo() {
        // The follower-serves-its-own-state bug with a non-empty list: [1] read after the append of 2 completed.
        serial("[['append', 'x', 1]]", "[['append', 'x', 2]]", "[['r', 'x', [1]]]", "[['r', 'x', [1, 2]]]");
        Result strict = check("strict-serializable");
        assertThat(strict.anomalies()).containsOnlyKeys("G-single-realtime");
        assertThat(strict.anomalies().get("G-single-realtime").get(0).explanation())
                .contains("T1 -realtime-> T2").contains("T2 -rw-> T1");
        assertThat(check("serializable").verdict()).isEqualTo(Verdict.VALID);
    }

    @Test
    void g0Realtime() {
        serial("[['append', 'x', 1]]", "[['append', 'x', 2]]", "[['r', 'x', [2, 1]]]");
        Result result = check("strict-serializable");
        assertThat(result.anomalies()).containsOnlyKeys("G0-realtime");
        assertThat(check("serializable").verdict()).isEqualTo(Verdict.VALID);
    }

    @Test
    void g1cRealtime() {
        serial("[['r', 'y', [1]]]", "[['append', 'y', 1]]");
        Result result = check("strict-serializable");
        assertThat(result.anomalies()).containsOnlyKeys("G1c-realtime");
        assertThat(result.anomalies().get("G1c-realtime").get(0).explanation()).contains("T1 -wr-> T0");
    }

    @Test
    void g2ItemRealtime() {
        // T1 -rw-> T2 -rw-> T3 -realtime-> T1, with T2 concurrent with both others.
        Txn t2 = new Txn(2, 2, Status.OK, json("[['r', 'z', []], ['append', 'x', 1]]"), 0, 5);
        Txn t3 = new Txn(3, 3, Status.OK, json("[['append', 'z', 1]]"), 1, 2);
        Txn t1 = new Txn(1, 1, Status.OK, json("[['r', 'x', []]]"), 3, 4);
        txns.addAll(List.of(t1, t2, t3));
        Result result = check("strict-serializable");
        assertThat(result.anomalies()).containsOnlyKeys("G2-item-realtime");
        assertThat(check("serializable").verdict()).isEqualTo(Verdict.VALID);
    }

    @Test
    void incompatibleOrders() {
        concurrent("[['append', 'x', 1]]", "[['append', 'x', 2]]", "[['r', 'x', [1, 2]]]", "[['r', 'x', [2]]]");
        Result result = check("read-committed");
        assertThat(result.prohibitedAnomalies()).containsKey("incompatible-order");
        assertThat(result.anomalies().get("incompatible-order").get(0).explanation()).contains("[2]").contains("[1, 2]");
    }

    @Test
    void duplicateElements() {
        serial("[['append', 'x', 1]]", "[['r', 'x', [1, 1]]]");
        Result result = check("read-uncommitted");
        assertThat(result.prohibitedAnomalies()).containsOnlyKeys("duplicate-elements");
    }

    @Test
    void internalInconsistency() {
        serial("[['append', 'x', 1]]", "[['r', 'x', [1]], ['append', 'x', 2], ['r', 'x', [1]]]");
        Result result = check("serializable");
        assertThat(result.prohibitedAnomalies()).containsKey("internal");
        assertThat(check("read-committed").prohibitedAnomalies()).doesNotContainKey("internal");
    }

    @Test
    void aReadOfTheTransactionsOwnAppendsIsFine() {
        serial("[['append', 'x', 1], ['r', 'x', [1]], ['append', 'x', 2], ['r', 'x', [1, 2]]]",
                "[['r', 'x', [1, 2]], ['append', 'x', 3], ['r', 'x', [1, 2, 3]]]");
        assertThat(check("strict-serializable").anomalies()).isEmpty();
    }

    @Test
    void futureRead() {
        serial("[['r', 'x', [1]], ['append', 'x', 1]]");
        assertThat(check("read-committed").prohibitedAnomalies()).containsKey("future-read");
    }

    @Test
    void lostUpdate() {
        serial("[['append', 'x', 1]]");
        concurrent("[['r', 'x', [1]], ['append', 'x', 2]]", "[['r', 'x', [1]], ['append', 'x', 3]]");
        serial("[['r', 'x', [1, 2, 3]]]");
        Result result = check("serializable");
        assertThat(result.prohibitedAnomalies()).containsKeys("lost-update", "G-single");
        assertThat(result.anomalies().get("lost-update").get(0).txns()).hasSize(2);
    }

    @Test
    void garbageRead() {
        serial("[['append', 'x', 1]]", "[['r', 'x', [1, 9]]]");
        assertThat(check("read-uncommitted").prohibitedAnomalies()).containsOnlyKeys("garbage-read");
    }

    @Test
    void indeterminateTransactionsTakePartThroughTheirObservedAppends() {
        ended(Status.INFO, "[['append', 'x', 1], ['append', 'y', 1]]");
        serial("[['r', 'x', [1]], ['r', 'y', []]]");
        Result result = check("serializable");
        assertThat(result.anomalies()).containsOnlyKeys("G-single");
        assertThat(result.indeterminate()).isEqualTo(1);
    }

    @Test
    void failedTransactionsTakeNoPart() {
        serial("[['append', 'x', 1]]");
        ended(Status.FAIL, "[['append', 'x', 2], ['r', 'y', null]]");
        serial("[['r', 'x', [1]], ['append', 'y', 1]]", "[['r', 'x', [1]], ['r', 'y', [1]]]");
        Result result = check("strict-serializable");
        assertThat(result.anomalies()).isEmpty();
        assertThat(result.failed()).isEqualTo(1);
    }

    @Test
    void aHistoryWithoutDependenciesCannotBeJudged() {
        serial("[['r', 'x', []]]");
        assertThat(check("strict-serializable").verdict()).isEqualTo(Verdict.UNKNOWN);
    }

    @Test
    void unknownModelsAreRefused() {
        serial("[['append', 'x', 1]]");
        assertThatThrownBy(() -> check("causal-plus")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("causal-plus");
    }

    @Test
    void aCycleBuriedInALargeComponentIsStillFoundAndShort() {
        // A chain of 200 serial transactions appending to x, then a write cycle between two of them on y.
        for (int i = 1; i <= 200; i++) {
            serial("[['r', 'x', " + range(i - 1) + "], ['append', 'x', " + i + "]]");
        }
        concurrent("[['append', 'y', 1], ['append', 'z', 1]]", "[['append', 'y', 2], ['append', 'z', 2]]");
        serial("[['r', 'y', [1, 2]], ['r', 'z', [2, 1]], ['r', 'x', " + range(200) + "]]");
        Result result = check("strict-serializable");
        assertThat(result.anomalies()).containsKey("G0");
        assertThat(result.anomalies().get("G0").get(0).txns()).hasSize(2);
    }

    private static String range(int n) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 1; i <= n; i++) {
            s.append(i == 1 ? "" : ", ").append(i);
        }
        return s.append("]").toString();
    }
}
