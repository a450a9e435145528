package dev.glomers.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionsTest {

    private static final List<String> FIVE = List.of("n0", "n1", "n2", "n3", "n4");

    /** The nodes a node can still hear from (itself included). */
    private static Set<String> view(Map<String, Set<String>> grudge, String node, List<String> nodes) {
        Set<String> view = new HashSet<>(nodes);
        view.removeAll(grudge.getOrDefault(node, Set.of()));
        return view;
    }

    @Test
    void oneIsolatesASingleNode() {
        Map<String, Set<String>> g = Partitions.grudge("one", FIVE, new Random(1));
        long isolated = FIVE.stream().filter(n -> view(g, n, FIVE).size() == 1).count();
        assertThat(isolated).isEqualTo(1);
        assertThat(FIVE.stream().filter(n -> view(g, n, FIVE).size() == 4).count()).isEqualTo(4);
    }

    @Test
    void majoritySplitsTwoFromThree() {
        Map<String, Set<String>> g = Partitions.grudge("majority", FIVE, new Random(2));
        assertThat(FIVE.stream().map(n -> view(g, n, FIVE).size()).sorted().toList())
                .containsExactly(2, 2, 3, 3, 3);
    }

    @Test
    void minorityThirdCutsOffLessThanAThird() {
        List<String> seven = List.of("a", "b", "c", "d", "e", "f", "g");
        Map<String, Set<String>> g = Partitions.grudge("minority-third", seven, new Random(3));
        assertThat(seven.stream().map(n -> view(g, n, seven).size()).sorted().toList())
                .containsExactly(2, 2, 5, 5, 5, 5, 5);
    }

    @Test
    void majoritiesRingGivesEveryNodeADifferentMajority() {
        Map<String, Set<String>> g = Partitions.grudge("majorities-ring", FIVE, new Random(4));
        Set<Set<String>> views = new HashSet<>();
        for (String n : FIVE) {
            Set<String> view = view(g, n, FIVE);
            assertThat(view).hasSize(3).contains(n);
            views.add(view);
        }
        assertThat(views).hasSize(5);
    }
}
