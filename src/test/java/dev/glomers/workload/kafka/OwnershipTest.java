package dev.glomers.workload.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class OwnershipTest {

    @Test
    void aSingleNodeOwnsEverything() {
        assertThat(Ownership.owner("anything", List.of("n0"))).isEqualTo("n0");
    }

    @Test
    void everyNodeComputesTheSameOwner() {
        List<String> nodes = List.of("n0", "n1", "n2");
        for (int key = 0; key < 100; key++) {
            assertThat(Ownership.owner(String.valueOf(key), nodes)).isEqualTo(Ownership.owner(String.valueOf(key), List.copyOf(nodes)));
        }
    }

    @Test
    void consecutiveKeysSpreadOverTheNodes() {
        List<String> nodes = List.of("n0", "n1");
        Map<String, Long> owned = IntStream.range(0, 1000).mapToObj(String::valueOf)
                .collect(Collectors.groupingBy(key -> Ownership.owner(key, nodes), Collectors.counting()));
        assertThat(owned.get("n0")).isBetween(400L, 600L);
        assertThat(owned.get("n1")).isBetween(400L, 600L);
        // The workbench's first keys should not all land on one node either.
        assertThat(IntStream.range(0, 8).mapToObj(String::valueOf).map(key -> Ownership.owner(key, nodes)).distinct())
                .hasSize(2);
    }

    @Test
    void noNodesIsAnError() {
        assertThatThrownBy(() -> Ownership.owner("k", List.of())).isInstanceOf(IllegalStateException.class);
    }
}
