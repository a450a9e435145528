package dev.glomers.workload.txn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.workload.txn.ReplicationLog.Entry;
import dev.glomers.workload.txn.TxnStore.Committed;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicationLogTest {

    private static Committed txn(long clock) {
        return new Committed(new Version(clock, "n0"), List.of());
    }

    private static long[] seqs(List<Entry> entries) {
        return entries.stream().mapToLong(Entry::seq).toArray();
    }

    @Test
    void aPeerGetsEverythingItHasNotAcknowledgedInOrderAndAcknowledgementsPruneTheOutbox() {
        ReplicationLog log = new ReplicationLog(List.of("n1", "n2"));
        for (int i = 1; i <= 5; i++) {
            log.append(txn(i));
        }
        assertThat(seqs(log.unacked("n1", 3))).containsExactly(1, 2, 3);

        log.receive("n1", List.of(), 3);
        assertThat(seqs(log.unacked("n1", 10))).containsExactly(4, 5);
        assertThat(log.backlog()).as("n2 still misses all five").isEqualTo(5);

        log.receive("n2", List.of(), 4);
        assertThat(log.backlog()).isEqualTo(2);
        log.receive("n1", List.of(), 5);
        log.receive("n2", List.of(), 5);
        assertThat(log.backlog()).isZero();
        assertThat(log.hasUnacked("n1")).isFalse();
    }

    @Test
    void anOldAcknowledgementNeverMovesBackAndOneBeyondWhatWeSentIsCapped() {
        ReplicationLog log = new ReplicationLog(List.of("n1"));
        log.append(txn(1));
        log.append(txn(2));
        log.receive("n1", List.of(), 2);
        log.receive("n1", List.of(), 1);
        assertThat(log.ackedBy("n1")).isEqualTo(2);
        log.receive("n1", List.of(), 99);
        assertThat(log.ackedBy("n1")).isEqualTo(2);
        log.append(txn(3));
        assertThat(log.hasUnacked("n1")).isTrue();
    }

    @Test
    void theReceiverAppliesEachEntryOnceInOrderAndSkipsGaps() {
        ReplicationLog log = new ReplicationLog(List.of("n0"));
        Entry e1 = new Entry(1, txn(1));
        Entry e2 = new Entry(2, txn(2));
        Entry e3 = new Entry(3, txn(3));
        Entry e5 = new Entry(5, txn(5));

        assertThat(log.receive("n0", List.of(e1, e2), 0)).containsExactly(e1, e2);
        assertThat(log.receive("n0", List.of(e1, e2, e3), 0)).as("a resend applies only what is new").containsExactly(e3);
        assertThat(log.receive("n0", List.of(e5), 0)).as("never past a gap").isEmpty();
        assertThat(log.receivedFrom("n0")).isEqualTo(3);
    }

    @Test
    void dataMakesUsOweAnAcknowledgementButABareAcknowledgementDoesNot() {
        ReplicationLog log = new ReplicationLog(List.of("n0"));
        log.receive("n0", List.of(), 0);
        assertThat(log.owesAck("n0")).as("acknowledging acknowledgements would never end").isFalse();

        log.receive("n0", List.of(new Entry(1, txn(1))), 0);
        assertThat(log.owesAck("n0")).isTrue();
        assertThat(log.takeAck("n0")).isEqualTo(1);
        assertThat(log.owesAck("n0")).isFalse();

        log.receive("n0", List.of(new Entry(1, txn(1))), 0);
        assertThat(log.owesAck("n0")).as("a duplicate means our acknowledgement was lost: send it again").isTrue();
    }

    @Test
    void withoutPeersNothingIsKept() {
        ReplicationLog log = new ReplicationLog(List.of());
        log.append(txn(1));
        assertThat(log.backlog()).isZero();
    }
}
