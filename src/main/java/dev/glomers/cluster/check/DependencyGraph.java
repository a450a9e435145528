package dev.glomers.cluster.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A directed graph over transactions 0..n-1 whose edges carry a set of dependency kinds (a bit mask):
 * write-write, write-read, read-write and real-time, as in Adya's direct serialization graph. Built with
 * {@link #link}, then {@link #freeze}d into flat arrays; the searches (strongly connected components,
 * shortest paths and cycles) see only the edges whose kinds intersect a mask and only the vertices of
 * the set they are given, and spend at most {@link #budget} edge visits between calls to
 * {@link #resetBudget}, so a huge anomalous component cannot stall a check. Not thread-safe.
 */
final class DependencyGraph {

    static final int WW = 1;
    static final int WR = 2;
    static final int RW = 4;
    static final int REALTIME = 8;
    static final int DATA = WW | WR | RW;

    private final int size;
    private final Map<Long, Integer> kinds = new HashMap<>();
    private int[] edgeStart;
    private int[] edgeTarget;
    private int[] edgeKinds;

    // Scratch space shared by the searches; stamps avoid clearing whole arrays per search.
    private final int[] memberStamp;
    private int memberGeneration;
    private final int[] visitStamp;
    private int visitGeneration;
    private final int[] parent;
    private final int[] distance;
    private final int[] queue;
    private final int[] tarjanIndex;
    private final int[] tarjanLow;
    private final boolean[] onStack;

    private long budget = Long.MAX_VALUE;
    private long spent;

    DependencyGraph(int size) {
        this.size = size;
        memberStamp = new int[size];
        visitStamp = new int[size];
        parent = new int[size];
        distance = new int[size];
        queue = new int[size];
        tarjanIndex = new int[size];
        tarjanLow = new int[size];
        onStack = new boolean[size];
        Arrays.fill(tarjanIndex, -1);
    }

    int size() {
        return size;
    }

    /** Adds {@code kind} to the edge from -> to; self-edges are never added (a txn does not depend on itself). */
    void link(int from, int to, int kind) {
        if (from != to) {
            kinds.merge(pair(from, to), kind, (a, b) -> a | b);
        }
    }

    /** The kinds on the edge from -> to, 0 if none. */
    int kinds(int from, int to) {
        return kinds.getOrDefault(pair(from, to), 0);
    }

    boolean hasEdges() {
        return !kinds.isEmpty();
    }

    int edgeCount() {
        return kinds.size();
    }

    /** Lays the edges out by source; call once, after the last link. */
    void freeze() {
        edgeStart = new int[size + 1];
        for (long edge : kinds.keySet()) {
            edgeStart[(int) (edge >>> 32) + 1]++;
        }
        for (int v = 0; v < size; v++) {
            edgeStart[v + 1] += edgeStart[v];
        }
        edgeTarget = new int[kinds.size()];
        edgeKinds = new int[kinds.size()];
        int[] fill = Arrays.copyOf(edgeStart, size);
        for (Map.Entry<Long, Integer> edge : kinds.entrySet()) {
            int from = (int) (edge.getKey() >>> 32);
            int slot = fill[from]++;
            edgeTarget[slot] = (int) (long) edge.getKey();
            edgeKinds[slot] = edge.getValue();
        }
    }

    void resetBudget(long edgeVisits) {
        budget = edgeVisits;
        spent = 0;
    }

    boolean budgetExhausted() {
        return spent > budget;
    }

    /** Makes {@code vertices} the current vertex set of the searches. */
    void restrictTo(int[] vertices) {
        memberGeneration++;
        for (int v : vertices) {
            memberStamp[v] = memberGeneration;
        }
    }

    private boolean member(int v) {
        return memberStamp[v] == memberGeneration;
    }

    /**
     * The strongly connected components with more than one vertex of the subgraph of {@code vertices}
     * and the edges of {@code mask} (Tarjan's algorithm, with an explicit stack instead of recursion).
     * Leaves the vertex set restricted to {@code vertices}.
     */
    List<int[]> components(int[] vertices, int mask) {
        restrictTo(vertices);
        List<int[]> components = new ArrayList<>();
        int[] stack = new int[vertices.length];
        int stackSize = 0;
        int[] frameVertex = new int[vertices.length];
        int[] frameEdge = new int[vertices.length];
        int counter = 0;
        for (int root : vertices) {
            if (tarjanIndex[root] != -1) {
                continue;
            }
            int depth = 0;
            frameVertex[0] = root;
            frameEdge[0] = edgeStart[root];
            tarjanIndex[root] = tarjanLow[root] = counter++;
            stack[stackSize++] = root;
            onStack[root] = true;
            while (depth >= 0) {
                int v = frameVertex[depth];
                int e = frameEdge[depth];
                if (e < edgeStart[v + 1]) {
                    frameEdge[depth] = e + 1;
                    spent++;
                    int w = edgeTarget[e];
                    if ((edgeKinds[e] & mask) == 0 || !member(w)) {
                        continue;
                    }
                    if (tarjanIndex[w] == -1) {
                        tarjanIndex[w] = tarjanLow[w] = counter++;
                        stack[stackSize++] = w;
                        onStack[w] = true;
                        depth++;
                        frameVertex[depth] = w;
                        frameEdge[depth] = edgeStart[w];
                    } else if (onStack[w]) {
                        tarjanLow[v] = Math.min(tarjanLow[v], tarjanIndex[w]);
                    }
                    continue;
                }
                if (tarjanLow[v] == tarjanIndex[v]) {
                    int start = stackSize;
                    do {
                        start--;
                        onStack[stack[start]] = false;
                    } while (stack[start] != v);
                    if (stackSize - start > 1) {
                        components.add(Arrays.copyOfRange(stack, start, stackSize));
                    }
                    stackSize = start;
                }
                depth--;
                if (depth >= 0) {
                    int caller = frameVertex[depth];
                    tarjanLow[caller] = Math.min(tarjanLow[caller], tarjanLow[v]);
                }
            }
        }
        for (int v : vertices) {
            tarjanIndex[v] = -1;
        }
        return components;
    }

    /**
     * A shortest path from {@code from} to {@code to} over edges of {@code mask} inside the current vertex
     * set, as its vertices (both ends included), or null if there is none or the budget ran out.
     */
    int[] shortestPath(int from, int to, int mask) {
        visitGeneration++;
        int head = 0;
        int tail = 0;
        queue[tail++] = from;
        visitStamp[from] = visitGeneration;
        parent[from] = -1;
        while (head < tail) {
            int v = queue[head++];
            for (int e = edgeStart[v]; e < edgeStart[v + 1]; e++) {
                spent++;
                int w = edgeTarget[e];
                if ((edgeKinds[e] & mask) == 0 || !member(w) || visitStamp[w] == visitGeneration) {
                    continue;
                }
                visitStamp[w] = visitGeneration;
                parent[w] = v;
                if (w == to) {
                    return trace(to);
                }
                queue[tail++] = w;
            }
            if (budgetExhausted()) {
                return null;
            }
        }
        return null;
    }

    /**
     * A shortest cycle over edges of {@code mask} inside {@code component} (which should be strongly
     * connected under that mask), as its vertices in order; the edge from the last vertex back to the
     * first closes it. Breadth-first search from each vertex in turn; when the budget runs out the
     * shortest cycle found so far is returned (at least one search always completes).
     */
    int[] shortestCycle(int[] component, int mask) {
        restrictTo(component);
        int[] best = null;
        for (int start : component) {
            if (best != null && (best.length == 2 || budgetExhausted())) {
                break;
            }
            int[] cycle = shortestCycleThrough(start, mask, best == null ? Integer.MAX_VALUE : best.length);
            if (cycle != null && (best == null || cycle.length < best.length)) {
                best = cycle;
            }
        }
        return best;
    }

    /** Breadth-first search from {@code start} for the nearest vertex with an edge back to it. */
    private int[] shortestCycleThrough(int start, int mask, int shorterThan) {
        visitGeneration++;
        int head = 0;
        int tail = 0;
        queue[tail++] = start;
        visitStamp[start] = visitGeneration;
        parent[start] = -1;
        distance[start] = 1;
        while (head < tail) {
            int v = queue[head++];
            if (distance[v] >= shorterThan) {
                return null;
            }
            for (int e = edgeStart[v]; e < edgeStart[v + 1]; e++) {
                spent++;
                int w = edgeTarget[e];
                if ((edgeKinds[e] & mask) == 0 || !member(w)) {
                    continue;
                }
                if (w == start) {
                    return trace(v);
                }
                if (visitStamp[w] != visitGeneration) {
                    visitStamp[w] = visitGeneration;
                    parent[w] = v;
                    distance[w] = distance[v] + 1;
                    queue[tail++] = w;
                }
            }
        }
        return null;
    }

    private int[] trace(int last) {
        int length = 0;
        for (int v = last; v != -1; v = parent[v]) {
            length++;
        }
        int[] path = new int[length];
        for (int v = last, i = length - 1; v != -1; v = parent[v], i--) {
            path[i] = v;
        }
        return path;
    }

    /** Calls {@code visitor} for each edge out of {@code from} inside the current vertex set with a kind in {@code mask}. */
    void forEachEdge(int from, int mask, EdgeVisitor visitor) {
        for (int e = edgeStart[from]; e < edgeStart[from + 1]; e++) {
            if ((edgeKinds[e] & mask) != 0 && member(edgeTarget[e]) && !visitor.visit(edgeTarget[e])) {
                return;
            }
        }
    }

    interface EdgeVisitor {
        /** Returns false to stop. */
        boolean visit(int to);
    }

    private static long pair(int from, int to) {
        return ((long) from << 32) | (to & 0xffffffffL);
    }
}
