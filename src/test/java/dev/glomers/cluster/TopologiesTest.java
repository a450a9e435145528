package dev.glomers.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopologiesTest {

    private static List<String> nodes(int n) {
        return IntStream.range(0, n).mapToObj(i -> "n" + i).toList();
    }

    @Test
    void gridIsRowByRowWithUpToFourNeighbours() {
        Map<String, List<String>> grid = Topologies.of("grid", nodes(5));
        assertThat(grid.get("n0")).containsExactly("n3", "n1");
        assertThat(grid.get("n1")).containsExactly("n4", "n2", "n0");
        assertThat(grid.get("n4")).containsExactly("n1", "n3");
    }

    @Test
    void everyTopologyIsSymmetricAndConnectsEveryNode() {
        for (String name : Topologies.NAMES) {
            Map<String, List<String>> t = Topologies.of(name, nodes(25));
            assertThat(t).hasSize(25);
            t.forEach((node, neighbours) -> neighbours.forEach(
                    other -> assertThat(t.get(other)).as(name + " " + other).contains(node)));
        }
        assertThat(Topologies.of("grid", nodes(25)).values()).allMatch(ns -> ns.size() <= 4);
    }
}
