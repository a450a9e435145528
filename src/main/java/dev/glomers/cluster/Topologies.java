package dev.glomers.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The topologies the workbench offers broadcast nodes (--topology; default grid, jepsen-io/maelstrom
 * src/maelstrom/workload/broadcast.clj {@code grid-topology}): a node's neighbours are suggestions,
 * nodes may ignore them.
 */
public final class Topologies {

    public static final List<String> NAMES = List.of("grid", "line", "total", "tree2", "tree3", "tree4");

    private Topologies() {
    }

    public static Map<String, List<String>> of(String name, List<String> nodes) {
        return switch (name) {
            case "grid" -> grid(nodes);
            case "line" -> line(nodes);
            case "total" -> total(nodes);
            case "tree2" -> tree(nodes, 2);
            case "tree3" -> tree(nodes, 3);
            case "tree4" -> tree(nodes, 4);
            default -> throw new IllegalArgumentException("unknown topology " + name);
        };
    }

    /**
     * Nodes laid out row by row in a square of side ceil(sqrt(n)); neighbours are the nodes below, above,
     * right and left, in that order, when they exist.
     */
    static Map<String, List<String>> grid(List<String> nodes) {
        int n = nodes.size();
        int side = (int) Math.ceil(Math.sqrt(n));
        Map<String, List<String>> topology = new LinkedHashMap<>();
        for (int idx = 0; idx < n; idx++) {
            int i = idx / side;
            int j = idx % side;
            List<String> neighbours = new ArrayList<>();
            addCell(neighbours, nodes, side, i + 1, j);
            addCell(neighbours, nodes, side, i - 1, j);
            addCell(neighbours, nodes, side, i, j + 1);
            addCell(neighbours, nodes, side, i, j - 1);
            topology.put(nodes.get(idx), neighbours);
        }
        return topology;
    }

    private static void addCell(List<String> out, List<String> nodes, int side, int i, int j) {
        if (i < 0 || j < 0 || j >= side) {
            return;
        }
        int idx = i * side + j;
        if (idx < nodes.size()) {
            out.add(nodes.get(idx));
        }
    }

    static Map<String, List<String>> line(List<String> nodes) {
        Map<String, List<String>> topology = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            List<String> neighbours = new ArrayList<>();
            if (i > 0) {
                neighbours.add(nodes.get(i - 1));
            }
            if (i + 1 < nodes.size()) {
                neighbours.add(nodes.get(i + 1));
            }
            topology.put(nodes.get(i), neighbours);
        }
        return topology;
    }

    static Map<String, List<String>> total(List<String> nodes) {
        Map<String, List<String>> topology = new LinkedHashMap<>();
        for (String node : nodes) {
            topology.put(node, nodes.stream().filter(other -> !other.equals(node)).toList());
        }
        return topology;
    }

    /** A k-ary tree in node order: node i's parent is (i - 1) / k, its children k*i + 1 .. k*i + k. */
    static Map<String, List<String>> tree(List<String> nodes, int k) {
        Map<String, List<String>> topology = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            List<String> neighbours = new ArrayList<>();
            if (i > 0) {
                neighbours.add(nodes.get((i - 1) / k));
            }
            for (int c = k * i + 1; c <= k * i + k && c < nodes.size(); c++) {
                neighbours.add(nodes.get(c));
            }
            topology.put(nodes.get(i), neighbours);
        }
        return topology;
    }
}
