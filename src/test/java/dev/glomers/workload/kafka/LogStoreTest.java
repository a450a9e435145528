package dev.glomers.workload.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LogStoreTest {

    @Test
    void offsetsAreStrictlyIncreasingPerKeyAndIndependentAcrossKeys() {
        LogStore store = new LogStore(List.of());
        assertThat(store.append("a", IntNode.valueOf(1))).isZero();
        assertThat(store.append("b", IntNode.valueOf(1))).isZero();
        assertThat(store.append("a", IntNode.valueOf(2))).isEqualTo(1);
        assertThat(store.append("a", IntNode.valueOf(3))).isEqualTo(2);
        assertThat(store.length("a")).isEqualTo(3);
        assertThat(store.length("missing")).isZero();
    }

    @Test
    void aPollAnswersEachKeyFromItsOffsetAndLeavesOutKeysWithNothingNew() {
        LogStore store = new LogStore(List.of());
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
        LogStore store = new LogStore(List.of());
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
    void replicationSendsWhatThePeerLacksUntilItAcknowledges() {
        LogStore owner = new LogStore(List.of("n1"));
        LogStore replica = new LogStore(List.of("n0"));
        for (int i = 0; i < 5; i++) {
            owner.append("k", IntNode.valueOf(i));
        }
        assertThat(owner.isBehind("n1")).isTrue();

        Map<String, LogStore.Segment> first = owner.missingAt("n1", 3, 10);
        assertThat(first.get("k").from()).isZero();
        assertThat(first.get("k").msgs()).hasSize(3);
        Map<String, Long> lengths = replica.applyReplica(first, key -> false);
        assertThat(lengths).containsExactly(Map.entry("k", 3L));
        owner.acknowledged("n1", lengths);
        assertThat(owner.isBehind("n1")).as("two messages still missing").isTrue();

        // The acknowledgement of a redelivered batch can be lost: the next batch overlaps, harmlessly.
        Map<String, LogStore.Segment> second = owner.missingAt("n1", 10, 10);
        assertThat(second.get("k").from()).isEqualTo(3);
        replica.applyReplica(second, key -> false);
        owner.acknowledged("n1", replica.applyReplica(second, key -> false));
        assertThat(owner.isBehind("n1")).isFalse();
        assertThat(owner.missingAt("n1", 10, 10)).isEmpty();
        assertThat(replica.poll(Map.of("k", 0L), 100, 100)).isEqualTo(owner.poll(Map.of("k", 0L), 100, 100));

        owner.append("k", IntNode.valueOf(5));
        assertThat(owner.isBehind("n1")).isTrue();
        assertThat(owner.missingAt("n1", 10, 10).get("k").from()).isEqualTo(5);
    }

    @Test
    void aBatchIsBoundedInKeys() {
        LogStore owner = new LogStore(List.of("n1"));
        for (String key : List.of("a", "b", "c")) {
            owner.append(key, IntNode.valueOf(1));
        }
        assertThat(owner.missingAt("n1", 10, 2)).containsOnlyKeys("a", "b");
        owner.acknowledged("n1", Map.of("a", 1L, "b", 1L));
        assertThat(owner.missingAt("n1", 10, 2)).containsOnlyKeys("c");
    }

    @Test
    void aReplicaBatchNeverTouchesALogThisNodeOwns() {
        LogStore store = new LogStore(List.of("n1"));
        store.append("mine", IntNode.valueOf(1));
        Map<String, Long> lengths = store.applyReplica(
                Map.of("mine", new LogStore.Segment(0, List.of(IntNode.valueOf(9), IntNode.valueOf(9)))),
                Set.of("mine")::contains);
        assertThat(lengths).isEmpty();
        assertThat(store.poll(Map.of("mine", 0L), 10, 10).get("mine")).containsExactly(List.of(0L, IntNode.valueOf(1)));
    }
}
