package dev.glomers.workload.txnlist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.node.Wire;
import dev.glomers.workload.txnlist.ListAppendChecker.Txn;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker the txn-list-append simulation tests rely on: it accepts serial histories and catches each kind of anomaly. */
class ListAppendCheckerTest {

    private static Txn ok(int id, String ops, long invoke, long complete) {
        return new Txn(id, json(ops), true, false, invoke, complete);
    }

    private static Txn failed(int id, String ops, long invoke, long complete) {
        return new Txn(id, json(ops), false, false, invoke, complete);
    }

    private static JsonNode json(String ops) {
        try {
            return Wire.JSON.readTree(ops.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void aSerialHistoryIsValid() {
        assertThat(ListAppendChecker.check(List.of(
                ok(1, "[['append',1,1],['r',1,[1]]]", 1, 2),
                ok(2, "[['r',1,[1]],['append',1,2],['append',2,5]]", 3, 4),
                ok(3, "[['r',1,[1,2]],['r',2,[5]]]", 5, 6)))).isEmpty();
    }

    @Test
    void concurrentTransactionsMaySerializeEitherWay() {
        assertThat(ListAppendChecker.check(List.of(
                ok(1, "[['append',1,1]]", 1, 10),
                ok(2, "[['append',1,2]]", 2, 9),
                ok(3, "[['r',1,[2,1]]]", 11, 12)))).isEmpty();
    }

    @Test
    void aStaleReadAfterACompletedAppendIsARealTimeCycle() {
        // The follower-serves-its-own-state bug: the append completed before the read began, the read missed it.
        assertThat(ListAppendChecker.check(List.of(
                ok(1, "[['append',1,1]]", 1, 2),
                ok(2, "[['append',1,2]]", 3, 4),
                ok(3, "[['r',1,[1]]]", 5, 6),
                ok(4, "[['r',1,[1,2]]]", 7, 8)))).isNotEmpty();
    }

    @Test
    void writeSkewIsACycle() {
        // Each reads the other's key empty and appends to its own: G2, no serial order explains both.
        assertThat(ListAppendChecker.check(List.of(
                ok(1, "[['r',2,[]],['append',1,1]]", 1, 10),
                ok(2, "[['r',1,[]],['append',2,1]]", 2, 9),
                ok(3, "[['r',1,[1]],['r',2,[1]]]", 11, 12)))).isNotEmpty();
    }

    @Test
    void abortedAndIntermediateReadsAndIncompatibleOrdersAreCaught() {
        assertThat(ListAppendChecker.check(List.of(
                failed(1, "[['append',1,1]]", 1, 2),
                ok(2, "[['r',1,[1]]]", 3, 4)))).anyMatch(p -> p.startsWith("G1a"));
        assertThat(ListAppendChecker.check(List.of(
                ok(1, "[['append',1,1],['append',1,2]]", 1, 2),
                ok(2, "[['r',1,[1]]]", 1, 4),
                ok(3, "[['r',1,[1,2]]]", 5, 6)))).anyMatch(p -> p.startsWith("G1b"));
        assertThat(ListAppendChecker.check(List.of(
                ok(1, "[['append',1,1]]", 1, 2),
                ok(2, "[['append',1,2]]", 1, 2),
                ok(3, "[['r',1,[1,2]]]", 5, 6),
                ok(4, "[['r',1,[2,1]]]", 5, 6)))).anyMatch(p -> p.startsWith("incompatible"));
    }
}
