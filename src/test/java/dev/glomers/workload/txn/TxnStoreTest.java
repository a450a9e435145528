package dev.glomers.workload.txn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.glomers.workload.txn.TxnStore.Committed;
import dev.glomers.workload.txn.TxnStore.Outcome;
import dev.glomers.workload.txn.TxnStore.Write;
import java.util.List;
import org.junit.jupiter.api.Test;

class TxnStoreTest {

    static JsonNode n(int value) {
        return IntNode.valueOf(value);
    }

    static MicroOp r(int key) {
        return MicroOp.read(n(key));
    }

    static MicroOp w(int key, int value) {
        return MicroOp.write(n(key), n(value));
    }

    @Test
    void readsOfNeverWrittenKeysAreNullAndWritesAreSeenByLaterTransactions() {
        TxnStore store = new TxnStore("n0");
        Outcome first = store.execute(List.of(r(1), w(1, 10), w(2, 20)));
        assertThat(first.completed().get(0).value().isNull()).isTrue();

        Outcome second = store.execute(List.of(r(1), r(2), r(3)));
        assertThat(second.completed()).extracting(MicroOp::value).containsExactly(n(10), n(20), MicroOp.read(n(3)).value());
        assertThat(second.committed()).as("a read-only transaction commits nothing to replicate").isNull();
    }

    @Test
    void aTransactionReadsItsOwnWritesAndOnlyItsFinalWritePerKeyLeavesIt() {
        TxnStore store = new TxnStore("n0");
        store.execute(List.of(w(1, 1)));
        Outcome outcome = store.execute(List.of(w(1, 2), r(1), w(1, 3), r(1), w(2, 7)));

        assertThat(outcome.completed()).extracting(MicroOp::value).containsExactly(n(2), n(2), n(3), n(3), n(7));
        assertThat(outcome.committed().writes()).containsExactly(new Write(n(1), n(3)), new Write(n(2), n(7)));
        assertThat(store.valueOf(n(1))).isEqualTo(n(3));
    }

    @Test
    void everyWriteOfATransactionGetsTheSameFreshVersion() {
        TxnStore store = new TxnStore("n1");
        Committed first = store.execute(List.of(w(1, 1), w(2, 1))).committed();
        Committed second = store.execute(List.of(w(2, 2))).committed();

        assertThat(store.registerOf(n(1)).version()).isEqualTo(first.version());
        assertThat(store.registerOf(n(2)).version()).isEqualTo(second.version());
        assertThat(second.version().isAfter(first.version())).isTrue();
        assertThat(first.version().node()).isEqualTo("n1");
    }

    @Test
    void concurrentWritesEndInTheSameWinnerWhateverTheArrivalOrder() {
        TxnStore a = new TxnStore("n0");
        TxnStore b = new TxnStore("n1");
        Committed fromA = a.execute(List.of(w(1, 100), w(2, 100))).committed();
        Committed fromB = b.execute(List.of(w(1, 200))).committed();
        assertThat(fromA.version().clock()).isEqualTo(fromB.version().clock()); // a true tie: node id decides

        a.merge(fromB);
        b.merge(fromA);

        assertThat(a.snapshot()).isEqualTo(b.snapshot());
        assertThat(a.valueOf(n(1))).as("n1 > n0 breaks the clock tie").isEqualTo(n(200));
        assertThat(a.valueOf(n(2))).isEqualTo(n(100));
    }

    @Test
    void mergingAdvancesTheClockSoWhatSeesAWriteIsVersionedAfterIt() {
        TxnStore a = new TxnStore("n0");
        TxnStore b = new TxnStore("n1");
        Committed early = null;
        for (int i = 0; i < 5; i++) {
            early = a.execute(List.of(w(1, i))).committed();
        }
        b.merge(early);
        Outcome later = b.execute(List.of(r(1), w(1, 99)));

        assertThat(later.completed().get(0).value()).isEqualTo(n(4));
        assertThat(later.committed().version().isAfter(early.version())).isTrue();
        a.merge(later.committed());
        assertThat(a.valueOf(n(1))).as("the overwrite wins on the original writer too").isEqualTo(n(99));
    }

    @Test
    void aStaleOrRepeatedMergeChangesNothing() {
        TxnStore a = new TxnStore("n0");
        TxnStore b = new TxnStore("n1");
        Committed old = a.execute(List.of(w(1, 1))).committed();
        b.merge(old);
        b.execute(List.of(w(1, 2)));

        b.merge(old);
        b.merge(old);

        assertThat(b.valueOf(n(1))).isEqualTo(n(2));
    }

    @Test
    void concurrentReadModifyWritesLoseAnUpdateSoThisIsNotRepeatableRead() {
        TxnStore a = new TxnStore("n0");
        TxnStore b = new TxnStore("n1");
        Committed start = a.execute(List.of(w(1, 1))).committed();
        b.merge(start);
        // Both read x = 1 and write their own increment of it while cut off from each other.
        Outcome onA = a.execute(List.of(r(1), w(1, 2)));
        Outcome onB = b.execute(List.of(r(1), w(1, 3)));
        assertThat(onA.completed().get(0).value()).isEqualTo(n(1));
        assertThat(onB.completed().get(0).value()).isEqualTo(n(1));

        a.merge(onB.committed());
        b.merge(onA.committed());

        assertThat(a.snapshot()).isEqualTo(b.snapshot());
        assertThat(a.valueOf(n(1))).as("one of the two updates is gone: a lost update (G2-item)").isEqualTo(n(3));
    }
}
