package dev.glomers.cluster.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.glomers.cluster.check.TxnChecker.Result;
import dev.glomers.cluster.check.TxnOp.Status;
import dev.glomers.workload.txn.MicroOp;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-made histories, each with a known anomaly (or none), through the checker. */
class TxnCheckerTest {

    private static final List<String> RU = List.of("read-uncommitted");
    private static final List<String> RC = List.of("read-committed");

    private static JsonNode n(int value) {
        return IntNode.valueOf(value);
    }

    private static MicroOp w(int key, int value) {
        return MicroOp.write(n(key), n(value));
    }

    private static MicroOp r(int key, Integer value) {
        return new MicroOp(MicroOp.READ, n(key), value == null ? NullNode.getInstance() : n(value));
    }

    private static TxnOp ok(int process, MicroOp... ops) {
        return new TxnOp(process, Status.OK, List.of(ops));
    }

    private static TxnOp failed(int process, MicroOp... ops) {
        return new TxnOp(process, Status.FAIL, List.of(ops));
    }

    private static TxnOp info(int process, MicroOp... ops) {
        return new TxnOp(process, Status.INFO, List.of(ops));
    }

    @Test
    void aSerialHistoryIsValidUnderEveryModel() {
        List<TxnOp> history = List.of(
                ok(0, r(1, null), w(1, 1), w(2, 1)),
                ok(1, r(1, 1), r(2, 1), w(1, 2)),
                ok(0, r(1, 2), w(2, 2), r(2, 2)),
                info(1, w(3, 1)),
                ok(1, r(3, 1), r(2, 2)));
        Result result = TxnChecker.check(history, TxnChecker.models());
        assertThat(result.anomalies()).isEmpty();
        assertThat(result.valid()).isTrue();
        assertThat(result.ok()).isEqualTo(4);
        assertThat(result.indeterminate()).isEqualTo(1);
    }

    @Test
    void readingAFailedTransactionsWriteIsG1a() {
        List<TxnOp> history = List.of(failed(0, w(1, 1)), ok(1, r(1, 1)));
        Result rc = TxnChecker.check(history, RC);
        assertThat(rc.valid()).isFalse();
        assertThat(rc.anomalies()).containsOnlyKeys(TxnChecker.G1A);
        assertThat(TxnChecker.check(history, RU).valid()).as("read uncommitted allows dirty reads").isTrue();
    }

    @Test
    void readingAnOverwrittenIntermediateValueIsG1b() {
        List<TxnOp> history = List.of(ok(0, w(1, 1), w(1, 2)), ok(1, r(1, 1)));
        Result rc = TxnChecker.check(history, RC);
        assertThat(rc.valid()).isFalse();
        assertThat(rc.anomalies()).containsOnlyKeys(TxnChecker.G1B);
    }

    @Test
    void aCycleOfWritesFollowingReadsIsG0() {
        // T0 read y=1 from T1 and then wrote y; T1 read x=1 from T0 and then wrote x: each overwrote the other.
        List<TxnOp> history = List.of(
                ok(0, w(1, 1), r(2, 1), w(2, 2)),
                ok(1, w(2, 1), r(1, 1), w(1, 2)));
        Result ru = TxnChecker.check(history, RU);
        assertThat(ru.valid()).isFalse();
        assertThat(ru.anomalies()).containsKey(TxnChecker.G0);
        assertThat(ru.anomalies().get(TxnChecker.G0).get(0)).contains("-ww->");
    }

    @Test
    void aCycleThroughReadsIsG1cButNotG0() {
        // Each read the other's write: circular information flow.
        List<TxnOp> history = List.of(
                ok(0, w(1, 1), r(2, 1)),
                ok(1, w(2, 1), r(1, 1)));
        Result rc = TxnChecker.check(history, RC);
        assertThat(rc.valid()).isFalse();
        assertThat(rc.anomalies()).containsOnlyKeys(TxnChecker.G1C);
        assertThat(rc.anomalies().get(TxnChecker.G1C).get(0)).contains("-wr->");
        assertThat(TxnChecker.check(history, RU).valid()).as("read uncommitted forbids only G0").isTrue();
    }

    @Test
    void aLongerCycleMixingWwAndWrIsFound() {
        List<TxnOp> history = List.of(
                ok(0, w(1, 1)),                       // A writes x1
                ok(1, r(1, 1), w(2, 1)),              // B reads x1 (wr A->B), writes y1
                ok(2, r(2, 1), w(3, 1)),              // C reads y1 (wr B->C), writes z1
                ok(3, r(3, 1), r(4, null)),           // unrelated reader
                ok(0, r(3, 1), w(3, 2), w(1, 2)));    // D reads z1 (C->D), overwrites z
        assertThat(TxnChecker.check(history, RC).valid()).as("no cycle yet").isTrue();

        List<TxnOp> cyclic = List.of(
                ok(0, r(3, 1), w(3, 2), w(1, 1)),     // A reads z1 from C, then writes x1
                ok(1, r(1, 1), w(2, 1)),              // B reads x1 from A
                ok(2, r(2, 1), w(3, 1)));             // C reads y1 from B, writes z1: A -> B -> C -> A
        Result result = TxnChecker.check(cyclic, RC);
        assertThat(result.valid()).isFalse();
        assertThat(result.anomalies()).containsKey(TxnChecker.G1C);
    }

    @Test
    void readsThatDisagreeWithTheTransactionsOwnEarlierOpsAreInternal() {
        List<TxnOp> history = List.of(
                ok(0, w(1, 1)),
                ok(1, w(1, 2)),
                ok(2, w(1, 3), r(1, 1)),
                ok(3, r(1, 1), r(1, 2)));
        Result atomic = TxnChecker.check(history, List.of("read-atomic"));
        assertThat(atomic.valid()).isFalse();
        assertThat(atomic.anomalies().get(TxnChecker.INTERNAL)).hasSize(2);
        assertThat(TxnChecker.check(history, RC).valid()).as("Elle's read committed allows non-repeatable reads").isTrue();
    }

    @Test
    void readingAValueNobodyWroteOrOnlyItselfWritesLaterIsInvalid() {
        assertThat(TxnChecker.check(List.of(ok(0, r(1, 7))), RU).anomalies()).containsOnlyKeys(TxnChecker.GARBAGE_READ);
        assertThat(TxnChecker.check(List.of(ok(0, r(1, 7))), RU).valid()).isFalse();

        Result future = TxnChecker.check(List.of(ok(0, r(1, 5), w(1, 5))), RC);
        assertThat(future.valid()).isFalse();
        assertThat(future.anomalies()).containsOnlyKeys(TxnChecker.FUTURE_READ);
    }

    @Test
    void aCycleThatNeedsAClientsOwnOrderBreaksOnlyTheStrongSessionModel() {
        // Client 0 ran A then B. C read B's write, and A read C's: A -> B -> C -> A only through process order.
        List<TxnOp> history = List.of(
                ok(0, r(1, 1)),              // A reads x1 (from C)
                ok(1, r(2, 1), w(1, 1)),     // C reads y1 (from B), writes x1
                ok(0, w(2, 1)));             // B writes y1, after A on the same client
        assertThat(TxnChecker.check(history, RC).valid()).isTrue();

        Result session = TxnChecker.check(history, List.of("strong-session-read-committed"));
        assertThat(session.valid()).isFalse();
        assertThat(session.anomalies()).containsOnlyKeys(TxnChecker.G1C_PROCESS);
    }

    @Test
    void twoWritersOfTheSameValueAreReported() {
        Result result = TxnChecker.check(List.of(ok(0, w(1, 1)), ok(1, w(1, 1))), RU);
        assertThat(result.valid()).isFalse();
        assertThat(result.anomalies()).containsOnlyKeys(TxnChecker.DUPLICATE_WRITE);
    }

    @Test
    void anUnknownModelIsRefusedRatherThanPassed() {
        assertThatThrownBy(() -> TxnChecker.check(List.of(), List.of("linearizable-banana")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aStrongerModelIsRuledOutByItsWeakerAnomaliesButNeverProvenByTheirAbsence() {
        Result clean = TxnChecker.check(List.of(ok(0, w(1, 1)), ok(1, r(1, 1))), List.of("serializable"));
        assertThat(clean.valid()).isTrue();
        assertThat(clean.unjudged()).containsExactly("serializable");

        Result internal = TxnChecker.check(List.of(ok(0, w(1, 1)), ok(1, w(1, 2), r(1, 1))), List.of("serializable"));
        assertThat(internal.valid()).isFalse();
    }
}
