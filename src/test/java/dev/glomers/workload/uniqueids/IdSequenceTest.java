package dev.glomers.workload.uniqueids;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdSequenceTest {

    @Test
    void nodesOfOneClusterNeverCollideEvenWhenStartedAtDifferentTimes() {
        Set<Long> ids = new HashSet<>();
        for (int node = 0; node < 25; node++) {
            IdSequence sequence = new IdSequence();
            sequence.start(node, 25, 1_800_000_000_000L + node);
            for (int i = 0; i < 10_000; i++) {
                assertThat(ids.add(sequence.next())).isTrue();
            }
        }
    }

    @Test
    void aRestartedNodeDoesNotRepeatItsEarlierIds() {
        IdSequence before = new IdSequence();
        before.start(1, 3, 1_000L);
        Set<Long> issued = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            issued.add(before.next());
        }
        IdSequence after = new IdSequence();
        after.start(1, 3, 1_001L);
        for (int i = 0; i < 1000; i++) {
            assertThat(issued).doesNotContain(after.next());
        }
    }

    @Test
    void refusesAnIndexOutsideTheCluster() {
        assertThatThrownBy(() -> new IdSequence().start(3, 3, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IdSequence().next()).isInstanceOf(IllegalStateException.class);
    }
}
