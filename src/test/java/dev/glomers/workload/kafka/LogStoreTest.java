package dev.glomers.workload.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogStoreTest {

    @Test
    void offsetsAreStrictlyIncreasingPerKeyAndIndependentAcrossKeys() {
        LogStore store = new LogStore();
        assertThat(store.append("a", IntNode.valueOf(1))).isZero();
        assertThat(store.append("b", IntNode.valueOf(1))).isZero();
        assertThat(store.append("a", IntNode.valueOf(2))).isEqualTo(1);
        assertThat(store.append("a", IntNode.valueOf(3))).isEqualTo(2);
        assertThat(store.length("a")).isEqualTo(3);
        assertThat(store.length("missing")).isZero();
    }

    @Test
    void sizeCountsEveryMessageHeldOwnedOrReplicatedAndNotARepeatedOrGappedDelivery() {
        LogStore store = new LogStore();
        store.append("a", IntNode.valueOf(1));
        store.append("a", IntNode.valueOf(2));
        store.replicate("b", 0, IntNode.valueOf(10));
        store.replicate("b", 1, IntNode.valueOf(11));
        store.replicate("b", 1, IntNode.valueOf(11)); // a repeated delivery: already held
        store.replicate("b", 5, IntNode.valueOf(15)); // would leave a gap: refused
        assertThat(store.size()).isEqualTo(4);
        assertThat(store.lengths()).isEqualTo(Map.of("a", 2L, "b", 2L));
    }

    @Test
    void aPollAnswersEachKeyFromItsOffsetAndLeavesOutKeysWithNothingNew() {
        LogStore store = new LogStore();
        for (int i = 0; i < 5; i++) {
            store.append("a", IntNode.valueOf(i));
        }
        store.append("b", IntNode.valueOf(42));
        Map<String, Long> offsets = new LinkedHashMap<>();
        offsets.put("a", 3L);
        offsets.put("b", 1L);
        offsets.put("never-sent", 0L);
        assertThat(store.poll(offsets, 100, 100)).containsExactly(
                Map.entry("a", List.of(List.of(3L, IntNode.valueOf(3)), List.of(4L, IntNode.valueOf(4)))));
    }

    @Test
    void aPollIsBoundedPerKeyAndInTotal() {
        LogStore store = new LogStore();
        for (int i = 0; i < 50; i++) {
            store.append("a", IntNode.valueOf(i));
            store.append("b", IntNode.valueOf(i));
            store.append("c", IntNode.valueOf(i));
        }
        Map<String, Long> offsets = new LinkedHashMap<>();
        offsets.put("a", 0L);
        offsets.put("b", 10L);
        offsets.put("c", 0L);
        Map<String, List<List<Object>>> answer = store.poll(offsets, 20, 30);
        assertThat(answer.get("a")).hasSize(20);
        assertThat(answer.get("a").get(0)).containsExactly(0L, IntNode.valueOf(0));
        assertThat(answer.get("b")).as("what is left of the total").hasSize(10);
        assertThat(answer.get("b").get(0)).containsExactly(10L, IntNode.valueOf(10));
        assertThat(answer).doesNotContainKey("c");
    }

    @Test
    void aReplicaTakesTheOwnersMessagesInOrderSkipsRepeatsAndRefusesGaps() {
        LogStore owner = new LogStore();
        LogStore replica = new LogStore();
        for (int i = 0; i < 3; i++) {
            long offset = owner.append("k", IntNode.valueOf(i));
            replica.replicate("k", offset, IntNode.valueOf(i));
        }
        replica.replicate("k", 1, IntNode.valueOf(1)); // a repeat
        replica.replicate("k", 7, IntNode.valueOf(7)); // a gap
        assertThat(replica.length("k")).isEqualTo(3);
        assertThat(replica.poll(Map.of("k", 0L), 100, 100)).isEqualTo(owner.poll(Map.of("k", 0L), 100, 100));
    }
}
