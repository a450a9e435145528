package dev.glomers.workload.txnlist;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Strict serializability of a list-append history, in Elle's way but small: each key's version order is
 * its longest read (every other read must be a prefix of it, with no duplicates); from it come
 * write-write, write-read and read-write edges between transactions, plus real-time edges (one completed
 * before the other began); the history is strict serializable only if that graph has no cycle. Also
 * rejected: reading a value nobody appended or whose transaction certainly failed (G1a), and reading a
 * transaction's intermediate state (G1b). Returns the problems found; none means valid.
 */
final class ListAppendChecker {

    /** A transaction: its micro-ops as answered (reads filled in) or as sent (indeterminate), and its real-time span. */
    record Txn(int id, JsonNode ops, boolean ok, boolean indeterminate, long invokeSeq, long completeSeq) {
    }

    private ListAppendChecker() {
    }

    static List<String> check(List<Txn> txns) {
        List<String> problems = new ArrayList<>();
        // Who appended each (key, value); values are unique per key.
        Map<List<Object>, Txn> writer = new HashMap<>();
        Map<String, List<JsonNode>> longest = new HashMap<>();
        for (Txn t : txns) {
            for (JsonNode op : t.ops()) {
                String key = op.get(1).toString();
                if (op.get(0).asText().equals("append")) {
                    if (writer.put(List.of(key, op.get(2).toString()), t) != null) {
                        problems.add("value appended twice: " + op);
                    }
                } else if (t.ok()) {
                    List<JsonNode> read = new ArrayList<>();
                    op.get(2).forEach(read::add);
                    List<JsonNode> known = longest.get(key);
                    if (known == null || read.size() > known.size()) {
                        longest.put(key, read);
                    }
                }
            }
        }
        // Every read a prefix of the longest, without duplicates, of values whose appends may have happened.
        for (Txn t : txns) {
            if (!t.ok()) {
                continue;
            }
            for (JsonNode op : t.ops()) {
                if (!op.get(0).asText().equals("r")) {
                    continue;
                }
                String key = op.get(1).toString();
                List<JsonNode> order = longest.get(key);
                Set<String> seen = new HashSet<>();
                for (int i = 0; i < op.get(2).size(); i++) {
                    JsonNode value = op.get(2).get(i);
                    if (!seen.add(value.toString())) {
                        problems.add("duplicate " + value + " in a read of " + key + " by txn " + t.id());
                    }
                    if (!Objects.equals(order.get(i), value)) {
                        problems.add("incompatible orders of " + key + ": " + op.get(2) + " vs " + order);
                        break;
                    }
                    Txn w = writer.get(List.of(key, value.toString()));
                    if (w == null || (!w.ok() && !w.indeterminate())) {
                        problems.add("G1a: txn " + t.id() + " read " + value + " of " + key + " that no transaction that may have happened appended");
                    }
                }
            }
        }
        // Edges: ww, wr, rw from the version orders, then real time.
        Map<Integer, Set<Integer>> edges = new HashMap<>();
        for (Map.Entry<String, List<JsonNode>> e : longest.entrySet()) {
            List<JsonNode> order = e.getValue();
            for (int i = 0; i + 1 < order.size(); i++) {
                edge(edges, writer.get(List.of(e.getKey(), order.get(i).toString())), writer.get(List.of(e.getKey(), order.get(i + 1).toString())));
            }
        }
        for (Txn t : txns) {
            if (!t.ok()) {
                continue;
            }
            Set<String> ownAppends = new HashSet<>();
            for (JsonNode op : t.ops()) {
                String key = op.get(1).toString();
                if (op.get(0).asText().equals("append")) {
                    ownAppends.add(key);
                    continue;
                }
                List<JsonNode> order = longest.get(key);
                int length = op.get(2).size();
                if (length > 0) {
                    Txn w = writer.get(List.of(key, order.get(length - 1).toString()));
                    if (w != null && w != t) {
                        edge(edges, w, t);
                        if (length < order.size() && writer.get(List.of(key, order.get(length).toString())) == w) {
                            problems.add("G1b: txn " + t.id() + " read an intermediate state of txn " + w.id() + " on " + key);
                        }
                    }
                }
                if (length < order.size() && !ownAppends.contains(key)) {
                    edge(edges, t, writer.get(List.of(key, order.get(length).toString())));
                }
            }
        }
        List<Txn> completed = txns.stream().filter(Txn::ok).sorted((a, b) -> Long.compare(a.completeSeq(), b.completeSeq())).toList();
        for (Txn later : txns) {
            if (!later.ok() && !later.indeterminate()) {
                continue;
            }
            for (Txn earlier : completed) {
                if (earlier.completeSeq() >= later.invokeSeq()) {
                    break;
                }
                edge(edges, earlier, later);
            }
        }
        if (hasCycle(edges)) {
            problems.add("a cycle of dependencies and real-time order: not strict serializable");
        }
        return problems;
    }

    private static void edge(Map<Integer, Set<Integer>> edges, Txn from, Txn to) {
        if (from != null && to != null && from != to) {
            edges.computeIfAbsent(from.id(), k -> new HashSet<>()).add(to.id());
        }
    }

    /** Kahn's algorithm: a cycle leaves nodes that never reach in-degree zero. */
    private static boolean hasCycle(Map<Integer, Set<Integer>> edges) {
        Map<Integer, Integer> inDegree = new HashMap<>();
        edges.forEach((from, tos) -> {
            inDegree.putIfAbsent(from, 0);
            tos.forEach(to -> inDegree.merge(to, 1, Integer::sum));
        });
        Deque<Integer> ready = new ArrayDeque<>();
        inDegree.forEach((node, degree) -> {
            if (degree == 0) {
                ready.add(node);
            }
        });
        int removed = 0;
        while (!ready.isEmpty()) {
            int node = ready.poll();
            removed++;
            for (int to : edges.getOrDefault(node, Set.of())) {
                if (inDegree.merge(to, -1, Integer::sum) == 0) {
                    ready.add(to);
                }
            }
        }
        return removed < inDegree.size();
    }
}
