package dev.glomers.cluster.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.workload.txn.MicroOp;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TxnGeneratorTest {

    @Test
    void transactionsHoldOneToFourOpsAndEveryWriteValueIsUniquePerKey() {
        TxnGenerator generator = TxnGenerator.defaults(42);
        Set<String> written = new HashSet<>();
        Map<Long, Integer> writesPerKey = new HashMap<>();
        Map<Long, Integer> opsPerKey = new HashMap<>();
        Set<Integer> lengths = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            List<MicroOp> txn = generator.next();
            lengths.add(txn.size());
            for (MicroOp op : txn) {
                long key = op.key().asLong();
                opsPerKey.merge(key, 1, Integer::sum);
                if (op.isWrite()) {
                    assertThat(written.add(key + "=" + op.value())).as("write value unique per key").isTrue();
                    writesPerKey.merge(key, 1, Integer::sum);
                } else {
                    assertThat(op.value().isNull()).isTrue();
                }
            }
        }
        assertThat(lengths).containsExactlyInAnyOrder(1, 2, 3, 4);
        assertThat(writesPerKey.values()).allMatch(count -> count <= 16);
        assertThat(writesPerKey.size()).as("full keys are retired for fresh ones").isGreaterThan(10);
    }

    @Test
    void theSameSeedGivesTheSameTransactions() {
        TxnGenerator a = TxnGenerator.defaults(7);
        TxnGenerator b = TxnGenerator.defaults(7);
        for (int i = 0; i < 100; i++) {
            assertThat(a.next()).isEqualTo(b.next());
        }
    }
}
