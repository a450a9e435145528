package dev.glomers.cluster.check;

import static dev.glomers.cluster.check.DependencyGraph.RW;
import static dev.glomers.cluster.check.DependencyGraph.WR;
import static dev.glomers.cluster.check.DependencyGraph.WW;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The graph searches against brute force on random small graphs, and on a long chain (no recursion limits). */
class DependencyGraphTest {

    private static final int[] KINDS = {WW, WR, RW};

    @Test
    void componentsAndShortestCyclesMatchBruteForce() {
        Random random = new Random(5);
        for (int round = 0; round < 300; round++) {
            int n = 2 + random.nextInt(12);
            DependencyGraph graph = new DependencyGraph(n);
            int[][] kinds = new int[n][n];
            int edges = random.nextInt(n * 2 + 1);
            for (int e = 0; e < edges; e++) {
                int a = random.nextInt(n);
                int b = random.nextInt(n);
                int kind = KINDS[random.nextInt(KINDS.length)];
                graph.link(a, b, kind);
                if (a != b) {
                    kinds[a][b] |= kind;
                }
            }
            graph.freeze();
            int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            for (int mask : new int[] {WW, WW | WR, WW | WR | RW}) {
                boolean[][] reach = closure(kinds, mask);
                Set<Set<Integer>> expected = new HashSet<>();
                for (int v = 0; v < n; v++) {
                    Set<Integer> component = new TreeSet<>();
                    for (int w = 0; w < n; w++) {
                        if (v == w || (reach[v][w] && reach[w][v])) {
                            component.add(w);
                        }
                    }
                    if (component.size() > 1) {
                        expected.add(component);
                    }
                }
                Set<Set<Integer>> actual = new HashSet<>();
                int shortest = Integer.MAX_VALUE;
                for (int[] component : graph.components(all, mask)) {
                    Set<Integer> set = new TreeSet<>();
                    Arrays.stream(component).forEach(set::add);
                    actual.add(set);
                    int[] cycle = graph.shortestCycle(component, mask);
                    for (int i = 0; i < cycle.length; i++) {
                        assertThat(kinds[cycle[i]][cycle[(i + 1) % cycle.length]] & mask).isNotZero();
                    }
                    shortest = Math.min(shortest, cycle.length);
                }
                assertThat(actual).as("round %d mask %d", round, mask).isEqualTo(expected);
                assertThat(shortest).as("round %d mask %d", round, mask).isEqualTo(bruteShortestCycle(kinds, mask));
            }
        }
    }

    @Test
    void aRingOfAHundredThousandIsOneComponent() {
        int n = 100_000;
        DependencyGraph graph = new DependencyGraph(n);
        for (int v = 0; v < n; v++) {
            graph.link(v, (v + 1) % n, WW);
        }
        graph.freeze();
        int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        List<int[]> components = graph.components(all, WW);
        assertThat(components).hasSize(1);
        assertThat(components.get(0)).hasSize(n);
        graph.resetBudget(2_000_000); // as the checker does: the first search completes, later ones stop
        assertThat(graph.shortestCycle(components.get(0), WW)).hasSize(n);
        assertThat(graph.components(all, WR)).isEmpty();
    }

    private static boolean[][] closure(int[][] kinds, int mask) {
        int n = kinds.length;
        boolean[][] reach = new boolean[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                reach[a][b] = (kinds[a][b] & mask) != 0;
            }
        }
        for (int k = 0; k < n; k++) {
            for (int a = 0; a < n; a++) {
                for (int b = 0; b < n; b++) {
                    reach[a][b] |= reach[a][k] && reach[k][b];
                }
            }
        }
        return reach;
    }

    /** Length of the shortest cycle by breadth-first search from every vertex; MAX_VALUE if acyclic. */
    private static int bruteShortestCycle(int[][] kinds, int mask) {
        int n = kinds.length;
        int best = Integer.MAX_VALUE;
        for (int start = 0; start < n; start++) {
            int[] dist = new int[n];
            Arrays.fill(dist, -1);
            dist[start] = 0;
            List<Integer> frontier = new ArrayList<>(List.of(start));
            while (!frontier.isEmpty()) {
                List<Integer> next = new ArrayList<>();
                for (int v : frontier) {
                    for (int w = 0; w < n; w++) {
                        if ((kinds[v][w] & mask) == 0) {
                            continue;
                        }
                        if (w == start) {
                            best = Math.min(best, dist[v] + 1);
                        } else if (dist[w] == -1) {
                            dist[w] = dist[v] + 1;
                            next.add(w);
                        }
                    }
                }
                frontier = next;
            }
        }
        return best;
    }
}
