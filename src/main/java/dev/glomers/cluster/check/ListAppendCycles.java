package dev.glomers.cluster.check;

import static dev.glomers.cluster.check.DependencyGraph.DATA;
import static dev.glomers.cluster.check.DependencyGraph.REALTIME;
import static dev.glomers.cluster.check.DependencyGraph.RW;
import static dev.glomers.cluster.check.DependencyGraph.WR;
import static dev.glomers.cluster.check.DependencyGraph.WW;

import dev.glomers.cluster.check.ListAppendChecker.Anomaly;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds and names the cycles of a list-append dependency graph. Strongly connected components first, then
 * per component a shortest cycle of each class, searched from the most severe down and skipping classes a
 * found one implies: G0 (ww only), G1c (ww and wr), G-single (exactly one rw), G2-item (several rw, two of
 * them adjacent) or G-nonadjacent (several rw, none adjacent), each with a "-realtime" variant when it
 * needs a real-time edge.
 */
final class ListAppendCycles {

    /** Edge visits one cycle search may spend in one component before reporting what it has. */
    private static final long SEARCH_BUDGET = 2_000_000;

    private final DependencyGraph graph;
    private final ListAppendDependencies dependencies;
    private final ListAppendHistory history;
    private final ListAppendFindings findings;

    ListAppendCycles(DependencyGraph graph, ListAppendDependencies dependencies, ListAppendHistory history,
            ListAppendFindings findings) {
        this.graph = graph;
        this.dependencies = dependencies;
        this.history = history;
        this.findings = findings;
    }

    /** Reports to the findings the cycles of every component, smallest components first. */
    void search(boolean realtime) {
        int[] vertices = new int[graph.size()];
        for (int v = 0; v < vertices.length; v++) {
            vertices[v] = v;
        }
        int all = DATA | (realtime ? REALTIME : 0);
        List<int[]> components = graph.components(vertices, all);
        components.sort(Comparator.comparingInt(c -> c.length));
        for (int[] component : components) {
            searchComponent(component, realtime);
        }
    }

    /** One cycle per class in a strongly connected component, most severe first, skipping implied classes. */
    private void searchComponent(int[] component, boolean realtime) {
        Set<String> found = new HashSet<>();
        // G0: write cycles only.
        recordCycle(shortestCycle(component, WW), WW, null, found);
        if (!found.contains("G0")) {
            recordCycle(cycleThroughEdge(component, WW | WR, WR, true, "G1c"), WW | WR, "G1c", found);
        }
        recordCycle(cycleThroughEdge(component, WW | WR, RW, false, "G-single"), DATA, "G-single", found);
        if (!found.contains("G-single")) {
            recordCycle(shortestCycle(component, DATA), DATA, null, found);
        }
        if (!realtime) {
            return;
        }
        if (!found.contains("G0")) {
            recordCycle(shortestCycle(component, WW | REALTIME), WW | REALTIME, null, found);
        }
        if (!found.contains("G0") && !found.contains("G1c") && !found.contains("G0-realtime")) {
            recordCycle(cycleThroughEdge(component, WW | WR | REALTIME, WR, true, "G1c-realtime"),
                    WW | WR | REALTIME, "G1c-realtime", found);
        }
        if (!found.contains("G-single")) {
            recordCycle(cycleThroughEdge(component, WW | WR | REALTIME, RW, false, "G-single-realtime"),
                    DATA | REALTIME, "G-single-realtime", found);
        }
        if (found.isEmpty()) {
            recordCycle(shortestCycle(component, DATA | REALTIME), DATA | REALTIME, null, found);
        }
    }

    /** A shortest cycle over {@code mask} in any strongly connected part of {@code component}, or null. */
    private int[] shortestCycle(int[] component, int mask) {
        graph.resetBudget(SEARCH_BUDGET);
        int[] best = null;
        for (int[] part : graph.components(component, mask)) {
            int[] cycle = graph.shortestCycle(part, mask);
            if (cycle != null && (best == null || cycle.length < best.length)) {
                best = cycle;
            }
        }
        return best;
    }

    /**
     * A shortest cycle made of one edge of kind {@code kind} and a path back over {@code pathMask}, that
     * classifies as {@code wanted}. With {@code withinParts}, the paths are sought inside the strongly
     * connected parts of the component under {@code pathMask} (right when {@code kind} is in it).
     */
    private int[] cycleThroughEdge(int[] component, int pathMask, int kind, boolean withinParts, String wanted) {
        graph.resetBudget(SEARCH_BUDGET);
        List<int[]> parts = withinParts ? graph.components(component, pathMask) : List.of(component);
        int[][] best = {null};
        for (int[] part : parts) {
            graph.restrictTo(part);
            for (int from : part) {
                if (graph.budgetExhausted() || (best[0] != null && best[0].length == 2)) {
                    return best[0];
                }
                List<Integer> targets = new ArrayList<>();
                graph.forEachEdge(from, kind, to -> targets.add(to));
                for (int to : targets) {
                    int[] back = graph.shortestPath(to, from, pathMask);
                    if (back == null || (best[0] != null && back.length >= best[0].length)) {
                        continue;
                    }
                    // Cycle: from, to, ..., (the vertex before from); back ends at from.
                    int[] cycle = new int[back.length];
                    cycle[0] = from;
                    System.arraycopy(back, 0, cycle, 1, back.length - 1);
                    if (classify(cycle, pathMask | kind).equals(wanted)) {
                        best[0] = cycle;
                    }
                }
            }
        }
        return best[0];
    }

    /** The kind each step of a cycle is explained by: the first of ww, wr, rw, realtime it has in {@code mask}. */
    private int[] stepKinds(int[] cycle, int mask) {
        int[] kinds = new int[cycle.length];
        for (int i = 0; i < cycle.length; i++) {
            int available = graph.kinds(cycle[i], cycle[(i + 1) % cycle.length]) & mask;
            kinds[i] = (available & WW) != 0 ? WW : (available & WR) != 0 ? WR : (available & RW) != 0 ? RW : REALTIME;
        }
        return kinds;
    }

    /** Elle's classification by the kinds of the steps. */
    private String classify(int[] cycle, int mask) {
        int[] kinds = stepKinds(cycle, mask);
        int rw = 0;
        int wr = 0;
        boolean realtime = false;
        boolean adjacentRw = false;
        for (int i = 0; i < kinds.length; i++) {
            rw += kinds[i] == RW ? 1 : 0;
            wr += kinds[i] == WR ? 1 : 0;
            realtime |= kinds[i] == REALTIME;
            adjacentRw |= kinds[i] == RW && kinds[(i + 1) % kinds.length] == RW;
        }
        String data = rw == 1 ? "G-single" : rw > 1 ? (adjacentRw ? "G2-item" : "G-nonadjacent") : wr > 0 ? "G1c" : "G0";
        return realtime ? data + "-realtime" : data;
    }

    /** Reports {@code cycle} if it is of class {@code wanted} (null: any) and its class is not yet found here. */
    private void recordCycle(int[] cycle, int mask, String wanted, Set<String> found) {
        if (cycle == null) {
            return;
        }
        String type = classify(cycle, mask);
        if ((wanted != null && !wanted.equals(type)) || found.contains(type)) {
            return;
        }
        found.add(type);
        int[] kinds = stepKinds(cycle, mask);
        StringBuilder explanation = new StringBuilder("cycle of " + cycle.length + ": ");
        List<String> involved = new ArrayList<>();
        for (int i = 0; i < cycle.length; i++) {
            int a = cycle[i];
            int b = cycle[(i + 1) % cycle.length];
            explanation.append(i == 0 ? "" : "; ").append(dependencies.explain(a, b, kinds[i]));
            involved.add(history.describe(a));
        }
        findings.report(new Anomaly(type, explanation.toString(), involved));
    }
}
