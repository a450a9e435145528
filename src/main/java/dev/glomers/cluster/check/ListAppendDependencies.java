package dev.glomers.cluster.check;

import static dev.glomers.cluster.check.DependencyGraph.REALTIME;
import static dev.glomers.cluster.check.DependencyGraph.RW;
import static dev.glomers.cluster.check.DependencyGraph.WR;
import static dev.glomers.cluster.check.DependencyGraph.WW;
import static dev.glomers.cluster.check.ListAppendVersions.INIT;

import dev.glomers.cluster.check.ListAppendHistory.MicroOps;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dependencies between transactions, inferred from the version orders, and the words that explain
 * one. T1 -ww-> T2 when T2 appended right after T1's element, T1 -wr-> T2 when T2 read a list ending with
 * T1's element, T1 -rw-> T2 when T1 read the state T2's append replaced; for strict serializability also
 * T1 -realtime-> T2 when T1 completed before T2 was invoked. Failed transactions take no part;
 * indeterminate ones do, through their appends.
 */
final class ListAppendDependencies {

    private final ListAppendHistory history;
    private final ListAppendVersions versions;

    ListAppendDependencies(ListAppendHistory history, ListAppendVersions versions) {
        this.history = history;
        this.versions = versions;
    }

    /** The frozen graph of ww, wr and rw edges, and with {@code realtime} the real-time ones too. */
    DependencyGraph graph(boolean realtime) {
        DependencyGraph graph = new DependencyGraph(history.size());
        addDataEdges(graph);
        if (realtime) {
            addRealtimeEdges(graph);
        }
        graph.freeze();
        return graph;
    }

    private void addDataEdges(DependencyGraph graph) {
        for (int t = 0; t < history.size(); t++) {
            if (!history.possible(t)) {
                continue;
            }
            MicroOps p = history.ops(t);
            for (int i = 0; i < p.size(); i++) {
                int k = p.key()[i];
                if (p.append()[i]) {
                    int previous = versions.previousElement(k, p.element()[i]);
                    if (previous != INIT) {
                        Integer before = versions.writer(k, previous);
                        if (before != null) {
                            graph.link(before, t, WW);
                        }
                    }
                    for (int reader : versions.readers(k, previous)) {
                        graph.link(reader, t, RW);
                    }
                } else if (p.read()[i] != null && p.read()[i].length > 0) {
                    int[] read = p.read()[i];
                    Integer from = versions.writer(k, read[read.length - 1]);
                    if (from != null) {
                        graph.link(from, t, WR);
                    }
                }
            }
        }
    }

    /**
     * T1 -> T2 when T1 completed ok before T2 was invoked, reduced as Elle does (so edges stay linear in
     * the history): T2 gets edges from the "frontier" of completions not already ordered before another
     * completion, and a completion replaces in the frontier everything that preceded its invocation.
     */
    private void addRealtimeEdges(DependencyGraph graph) {
        record Event(long at, int txn, boolean invoke) {
        }
        List<Event> events = new ArrayList<>();
        for (int t = 0; t < history.size(); t++) {
            if (!history.possible(t)) {
                continue;
            }
            events.add(new Event(history.txn(t).invokedAt(), t, true));
            if (history.ok(t)) {
                events.add(new Event(history.txn(t).completedAt(), t, false));
            }
        }
        events.sort(Comparator.comparingLong(Event::at));
        Set<Integer> frontier = new LinkedHashSet<>();
        Map<Integer, int[]> precededBy = new HashMap<>();
        for (Event event : events) {
            if (event.invoke()) {
                int[] before = frontier.stream().mapToInt(Integer::intValue).toArray();
                for (int t : before) {
                    graph.link(t, event.txn(), REALTIME);
                }
                if (history.ok(event.txn())) {
                    precededBy.put(event.txn(), before);
                }
            } else {
                for (int t : precededBy.getOrDefault(event.txn(), new int[0])) {
                    frontier.remove(t);
                }
                precededBy.remove(event.txn());
                frontier.add(event.txn());
            }
        }
    }

    /** Why there is an edge of {@code kind} from {@code a} to {@code b}, in words. */
    String explain(int a, int b, int kind) {
        String from = history.name(a);
        String to = history.name(b);
        String arrow = from + " -" + kindName(kind) + "-> " + to + " (";
        MicroOps pb = history.ops(b);
        if (kind == WW || kind == RW) {
            for (int i = 0; i < pb.size(); i++) {
                if (!pb.append()[i]) {
                    continue;
                }
                int k = pb.key()[i];
                int previous = versions.previousElement(k, pb.element()[i]);
                String appended = "'s append of " + history.elementName(pb.element()[i]) + " to key "
                        + history.keyName(k);
                if (kind == WW && previous != INIT && Integer.valueOf(a).equals(versions.writer(k, previous))) {
                    return arrow + to + " appended " + history.elementName(pb.element()[i]) + " right after " + from
                            + " appended " + history.elementName(previous) + " to key " + history.keyName(k) + ")";
                }
                if (kind == RW && versions.readers(k, previous).contains(a)) {
                    return arrow + from + " read key " + history.keyName(k) + (previous == INIT ? " empty"
                            : " ending at " + history.elementName(previous)) + ", missing " + to + appended
                            + " that came next)";
                }
            }
        } else if (kind == WR) {
            for (int i = 0; i < pb.size(); i++) {
                int[] read = pb.read()[i];
                if (read != null && read.length > 0
                        && Integer.valueOf(a).equals(versions.writer(pb.key()[i], read[read.length - 1]))) {
                    return arrow + to + " read key " + history.keyName(pb.key()[i]) + " ending at " + from + "'s "
                            + history.elementName(read[read.length - 1]) + ")";
                }
            }
        } else {
            return arrow + from + " completed at history position " + history.txn(a).completedAt() + ", before "
                    + to + " was invoked at " + history.txn(b).invokedAt() + ")";
        }
        return arrow + "?)";
    }

    private static String kindName(int kind) {
        return switch (kind) {
            case WW -> "ww";
            case WR -> "wr";
            case RW -> "rw";
            default -> "realtime";
        };
    }
}
