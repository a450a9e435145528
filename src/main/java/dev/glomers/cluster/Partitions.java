package dev.glomers.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The partitions of the workbench's partition nemesis (jepsen.nemesis.combined {@code partition-package}
 * with {@code partition-specs}: one, minority-third, majority, majorities-ring; grudges as in
 * jepsen.nemesis). A grudge maps each node to the nodes whose messages it drops. Only our nodes are cut:
 * clients and services stay reachable, as in the workbench.
 */
final class Partitions {

    static final List<String> SPECS = List.of("one", "minority-third", "majority", "majorities-ring");

    private Partitions() {
    }

    /** A random grudge of a random spec; returns the spec name and the grudge. */
    static Map.Entry<String, Map<String, Set<String>>> random(List<String> nodes, Random random) {
        String spec = SPECS.get(random.nextInt(SPECS.size()));
        return Map.entry(spec, grudge(spec, nodes, random));
    }

    static Map<String, Set<String>> grudge(String spec, List<String> nodes, Random random) {
        List<String> shuffled = new ArrayList<>(nodes);
        Collections.shuffle(shuffled, random);
        return switch (spec) {
            // one random node alone
            case "one" -> complete(List.of(shuffled.subList(0, 1), shuffled.subList(1, shuffled.size())));
            // Jepsen's bisect: the first floor(n/2) nodes against the rest
            case "majority" -> split(shuffled, shuffled.size() / 2);
            // up to, not including, a third of the nodes against the rest
            case "minority-third" -> split(shuffled, (shuffled.size() - 1) / 3);
            case "majorities-ring" -> majoritiesRing(shuffled);
            default -> throw new IllegalArgumentException(spec);
        };
    }

    private static Map<String, Set<String>> split(List<String> nodes, int at) {
        return complete(List.of(nodes.subList(0, at), nodes.subList(at, nodes.size())));
    }

    /** Every node drops messages from every node outside its own component. */
    static Map<String, Set<String>> complete(List<List<String>> components) {
        Map<String, Set<String>> grudge = new HashMap<>();
        for (List<String> component : components) {
            Set<String> others = new HashSet<>();
            for (List<String> other : components) {
                if (other != component) {
                    others.addAll(other);
                }
            }
            for (String node : component) {
                grudge.put(node, others);
            }
        }
        return grudge;
    }

    /**
     * Nodes on a ring (already shuffled); each window of a majority of consecutive nodes is the view of
     * its middle node, which drops messages from everyone outside the window. Every node sees a majority,
     * no two see the same one.
     */
    static Map<String, Set<String>> majoritiesRing(List<String> ring) {
        int n = ring.size();
        int majority = n / 2 + 1;
        Map<String, Set<String>> grudge = new LinkedHashMap<>();
        for (int start = 0; start < n; start++) {
            Set<String> window = new HashSet<>();
            for (int k = 0; k < majority; k++) {
                window.add(ring.get((start + k) % n));
            }
            Set<String> dropped = new HashSet<>(ring);
            dropped.removeAll(window);
            grudge.put(ring.get((start + majority / 2) % n), dropped);
        }
        return grudge;
    }
}
