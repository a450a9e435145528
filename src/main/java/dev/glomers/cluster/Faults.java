package dev.glomers.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The faults of --nemesis and their names in the history, after Jepsen's combined nemesis
 * (jepsen.nemesis.combined: db-nemesis for kill and pause, partition-package for partitions). Each fault
 * is a pair of nemesis operations: kill / start, pause / resume, start-partition / stop-partition.
 */
public final class Faults {

    public static final String KILL = "kill";
    public static final String PAUSE = "pause";
    public static final String PARTITION = "partition";
    public static final List<String> KINDS = List.of(PARTITION, KILL, PAUSE);

    /** The history's f of each fault's beginning and end. */
    public static String beginning(String kind) {
        return switch (kind) {
            case KILL -> "kill";
            case PAUSE -> "pause";
            case PARTITION -> "start-partition";
            default -> throw new IllegalArgumentException(kind);
        };
    }

    public static String end(String kind) {
        return switch (kind) {
            case KILL -> "start";
            case PAUSE -> "resume";
            case PARTITION -> "stop-partition";
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** Node specs of --kill-targets and --pause-targets (Jepsen's db-nodes). */
    static final List<String> NODE_TARGETS = List.of("one", "minority", "majority", "all");

    private Faults() {
    }

    /** Per kind: "count", the times it began; for kill and pause also "nodes", the nodes it took in all. */
    static Map<String, Map<String, Long>> count(List<String> kinds, List<Op> history) {
        Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
        for (String kind : kinds) {
            long times = 0;
            long nodes = 0;
            for (Op op : history) {
                if (!op.isClientOp() && op.f().equals(beginning(kind))) {
                    times++;
                    nodes += op.value().path("nodes").size();
                }
            }
            counts.put(kind, kind.equals(PARTITION) ? Map.of("count", times)
                    : new TreeMap<>(Map.of("count", times, "nodes", nodes)));
        }
        return counts;
    }

    /** "partition 2, kill 3 (5 nodes), pause 1 (1 node)". */
    static String describe(Map<String, Map<String, Long>> counts) {
        List<String> parts = new ArrayList<>();
        counts.forEach((kind, c) -> {
            Long nodes = c.get("nodes");
            parts.add(kind + " " + c.get("count") + (nodes == null ? "" : " (" + nodes + (nodes == 1 ? " node)" : " nodes)")));
        });
        return String.join(", ", parts);
    }

    /**
     * The nodes a spec takes, as Jepsen's db-nodes: one random node; a random minority (majority - 1, so
     * 1 of 3, 2 of 5); a random majority (n / 2 + 1); all.
     */
    static List<String> nodes(String spec, List<String> nodes, Random random) {
        List<String> shuffled = new ArrayList<>(nodes);
        Collections.shuffle(shuffled, random);
        int majority = nodes.size() / 2 + 1;
        int count = switch (spec) {
            case "one" -> 1;
            case "minority" -> majority - 1;
            case "majority" -> majority;
            case "all" -> nodes.size();
            default -> throw new IllegalArgumentException(spec);
        };
        List<String> chosen = new ArrayList<>(shuffled.subList(0, Math.min(count, nodes.size())));
        Collections.sort(chosen);
        return chosen;
    }
}
