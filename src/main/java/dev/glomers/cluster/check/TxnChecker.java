package dev.glomers.cluster.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.glomers.workload.txn.MicroOp;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a txn-rw-register history for the anomalies of Adya's isolation levels, the way the
 * workbench's checker (Elle's rw-register analysis) does, within the limits below.
 *
 * <ul>
 * <li><b>G1a</b> aborted read: a committed transaction read a value whose writer failed definitely.</li>
 * <li><b>G1b</b> intermediate read: it read a value its writer overwrote later in the same transaction.</li>
 * <li><b>G0</b> / <b>G1c</b>: a cycle of write-write (ww) edges, or of ww and write-read (wr) edges,
 *     in the dependency graph between transactions.</li>
 * <li><b>internal</b>: a read inside a transaction that disagrees with the transaction's own earlier
 *     write or read of that key; <b>future-read</b>: a transaction read its own later write.</li>
 * <li><b>garbage-read</b>: a read of a value nobody wrote.</li>
 * <li><b>G0-process</b> / <b>G1c-process</b>: such cycles once each client's order of transactions
 *     counts as an edge too (for the strong-session models).</li>
 * </ul>
 *
 * <p>What the graph can know. Write values are unique per key, so a read names its writer and wr
 * edges are exact. The version order of a key (the ww edges) is not observable in general: the one
 * sound inference is the one the workbench makes, writes-follow-reads inside a transaction (it read
 * version a of a key, then wrote b, so a precedes b). Orders a particular implementation happens to
 * keep (say, one node's state only moving forward) are not assumed: a checker that trusted them
 * would pass the very systems that break them. So G0 and G1c are found only where the history itself
 * exposes the order, which is exactly what the workbench can find too; no realtime edges either.
 */
public final class TxnChecker {

    public static final String G0 = "G0";
    public static final String G1A = "G1a";
    public static final String G1B = "G1b";
    public static final String G1C = "G1c";
    public static final String INTERNAL = "internal";
    public static final String FUTURE_READ = "future-read";
    public static final String GARBAGE_READ = "garbage-read";
    public static final String DUPLICATE_WRITE = "duplicate-write";
    public static final String G0_PROCESS = "G0-process";
    public static final String G1C_PROCESS = "G1c-process";

    /** Reported cases per anomaly: enough to debug, not the whole history. */
    private static final int EXAMPLES = 5;

    /** The anomalies each model forbids, following Elle's model graph for the models we can judge. */
    private static final Map<String, Set<String>> PROHIBITED = Map.of(
            "read-uncommitted", Set.of(G0),
            "read-committed", Set.of(G0, G1A, G1B, G1C, FUTURE_READ),
            // Elle's monotonic-atomic-view forbids nothing read committed does not already forbid.
            "monotonic-atomic-view", Set.of(G0, G1A, G1B, G1C, FUTURE_READ),
            "read-atomic", Set.of(G0, G1A, G1B, G1C, FUTURE_READ, INTERNAL),
            "strong-session-read-uncommitted", Set.of(G0, G0_PROCESS),
            "strong-session-read-committed", Set.of(G0, G1A, G1B, G1C, FUTURE_READ, G0_PROCESS, G1C_PROCESS));

    /**
     * Stronger models we cannot judge fully, and the model whose anomalies they forbid at least: finding
     * one of those rules them out, finding none proves nothing more.
     */
    private static final Map<String, String> LOWER_BOUNDS = Map.of(
            "repeatable-read", "read-committed",
            "causal-cerone", "read-atomic",
            "snapshot-isolation", "read-atomic",
            "serializable", "read-atomic",
            "strict-serializable", "read-atomic",
            "strong-serializable", "read-atomic");

    /**
     * What a check found. {@code valid} is false iff an anomaly the models forbid was found;
     * {@code unjudged} lists the models only checked through a weaker one (so a clean result is "unknown").
     */
    public record Result(boolean valid, Set<String> prohibited, Map<String, List<String>> anomalies,
                         int ok, int failed, int indeterminate, Set<String> unjudged) {
    }

    public static Set<String> models() {
        return new TreeSet<>(PROHIBITED.keySet());
    }

    public static Set<String> prohibitedBy(Collection<String> models) {
        Set<String> prohibited = new TreeSet<>(List.of(GARBAGE_READ, DUPLICATE_WRITE));
        for (String model : models) {
            Set<String> anomalies = PROHIBITED.get(LOWER_BOUNDS.getOrDefault(model, model));
            if (anomalies == null) {
                throw new IllegalArgumentException("cannot check consistency model " + model + "; known: " + models()
                        + ", and at least their anomalies for " + new TreeSet<>(LOWER_BOUNDS.keySet()));
            }
            prohibited.addAll(anomalies);
        }
        return prohibited;
    }

    public static Result check(List<TxnOp> history, Collection<String> models) {
        Set<String> unjudged = new TreeSet<>(models);
        unjudged.retainAll(LOWER_BOUNDS.keySet());
        return new TxnChecker(history, prohibitedBy(models), unjudged).run();
    }

    // ---- the analysis ---------------------------------------------------------------------

    private record KeyValue(JsonNode key, JsonNode value) {
    }

    /** Who wrote a (key, value): the op's index, and whether it was the op's last write of the key. */
    private record Writer(int op, boolean finalWrite) {
    }

    private static final int WW = 1;
    private static final int WR = 2;
    private static final int PROCESS = 4;

    private final List<TxnOp> history;
    private final Set<String> prohibited;
    private final Set<String> unjudged;
    private final Map<String, List<String>> anomalies = new LinkedHashMap<>();
    private final Map<KeyValue, Writer> writers = new HashMap<>();
    private final List<Map<Integer, Integer>> edges = new ArrayList<>();

    private TxnChecker(List<TxnOp> history, Set<String> prohibited, Set<String> unjudged) {
        this.history = history;
        this.prohibited = prohibited;
        this.unjudged = unjudged;
        for (int i = 0; i < history.size(); i++) {
            edges.add(new HashMap<>());
        }
    }

    private Result run() {
        indexWriters();
        for (int op = 0; op < history.size(); op++) {
            if (history.get(op).status() == TxnOp.Status.OK) {
                readsOf(op);
            }
        }
        if (prohibited.contains(G0_PROCESS) || prohibited.contains(G1C_PROCESS)) {
            processOrder();
        }
        findCycles();
        int ok = 0;
        int failed = 0;
        for (TxnOp op : history) {
            switch (op.status()) {
                case OK -> ok++;
                case FAIL -> failed++;
                case INFO -> { }
            }
        }
        boolean valid = anomalies.keySet().stream().noneMatch(prohibited::contains);
        return new Result(valid, prohibited, anomalies, ok, failed, history.size() - ok - failed, unjudged);
    }

    private void indexWriters() {
        for (int op = 0; op < history.size(); op++) {
            List<MicroOp> txn = history.get(op).txn();
            for (int i = 0; i < txn.size(); i++) {
                MicroOp micro = txn.get(i);
                if (!micro.isWrite()) {
                    continue;
                }
                KeyValue written = new KeyValue(canonical(micro.key()), canonical(micro.value()));
                boolean last = true;
                for (int j = i + 1; j < txn.size(); j++) {
                    if (txn.get(j).isWrite() && canonical(txn.get(j).key()).equals(written.key())) {
                        last = false;
                    }
                }
                Writer previous = writers.putIfAbsent(written, new Writer(op, last));
                if (previous != null && previous.op() != op) {
                    report(DUPLICATE_WRITE, "ops " + previous.op() + " and " + op + " both wrote " + show(written));
                }
            }
        }
    }

    /** Checks one committed transaction's reads and adds the wr and ww edges they reveal. */
    private void readsOf(int op) {
        Map<JsonNode, JsonNode> ownWrite = new HashMap<>();
        Map<JsonNode, JsonNode> lastRead = new HashMap<>();
        Map<JsonNode, JsonNode> externalRead = new HashMap<>();
        for (MicroOp micro : history.get(op).txn()) {
            JsonNode key = canonical(micro.key());
            JsonNode value = canonical(micro.value());
            if (micro.isWrite()) {
                JsonNode before = externalRead.get(key);
                if (before != null && !ownWrite.containsKey(key) && !before.isNull()) {
                    // Writes follow reads: the version it read precedes the version it installs.
                    Writer previous = writers.get(new KeyValue(key, before));
                    if (previous != null && previous.op() != op) {
                        link(previous.op(), op, WW);
                    }
                }
                ownWrite.put(key, value);
                continue;
            }
            if (ownWrite.containsKey(key)) {
                if (!ownWrite.get(key).equals(value)) {
                    report(INTERNAL, "op " + op + " wrote " + ownWrite.get(key) + " to key " + key + " then read " + value);
                }
            } else if (lastRead.containsKey(key)) {
                if (!lastRead.get(key).equals(value)) {
                    report(INTERNAL, "op " + op + " read key " + key + " as " + lastRead.get(key) + " then as " + value);
                }
            } else {
                externalRead.put(key, value);
                readFrom(op, new KeyValue(key, value));
            }
            lastRead.put(key, value);
        }
    }

    private void readFrom(int op, KeyValue read) {
        if (read.value().isNull()) {
            return; // the initial state: written by nobody, before everything
        }
        Writer writer = writers.get(read);
        if (writer == null) {
            report(GARBAGE_READ, "op " + op + " read " + show(read) + ", which no transaction wrote");
            return;
        }
        if (writer.op() == op) {
            report(FUTURE_READ, "op " + op + " read " + show(read) + " before writing it itself");
            return;
        }
        TxnOp source = history.get(writer.op());
        if (source.status() == TxnOp.Status.FAIL) {
            report(G1A, "op " + op + " read " + show(read) + " from op " + writer.op() + ", which failed");
            return;
        }
        if (!writer.finalWrite()) {
            report(G1B, "op " + op + " read " + show(read) + ", an intermediate write of op " + writer.op());
        }
        link(writer.op(), op, WR);
    }

    /** Each client runs one transaction at a time: its next committed one depends on its last. */
    private void processOrder() {
        Map<Integer, Integer> lastOf = new HashMap<>();
        for (int op = 0; op < history.size(); op++) {
            TxnOp txn = history.get(op);
            if (txn.status() != TxnOp.Status.OK) {
                continue;
            }
            Integer previous = lastOf.put(txn.process(), op);
            if (previous != null) {
                link(previous, op, PROCESS);
            }
        }
    }

    private void link(int from, int to, int kind) {
        edges.get(from).merge(to, kind, (a, b) -> a | b);
    }

    // ---- cycles ---------------------------------------------------------------------------

    private void findCycles() {
        // Worst first: a cycle of ww edges alone is G0, one that needs wr edges is G1c, one that
        // needs a client's own order is the -process variant of either.
        searchCycles(WW, WW, G0, G0);
        searchCycles(WW | WR, WR, G1C, G1C);
        if (prohibited.contains(G0_PROCESS) || prohibited.contains(G1C_PROCESS)) {
            searchCycles(WW | WR | PROCESS, PROCESS, G0_PROCESS, G1C_PROCESS);
        }
    }

    /**
     * In the graph of {@code allowed} edges, finds strongly connected components and, in each, a
     * cycle through an edge of kind {@code through} (so each kind of anomaly is reported once, by
     * the weakest edge it needs). The cycle is named {@code withoutWr} if it uses no wr edge.
     */
    private void searchCycles(int allowed, int through, String withoutWr, String withWr) {
        int[] component = components(allowed);
        Set<Integer> reported = new HashSet<>();
        for (int from = 0; from < edges.size(); from++) {
            for (Map.Entry<Integer, Integer> edge : edges.get(from).entrySet()) {
                int to = edge.getKey();
                if ((edge.getValue() & through) == 0 || component[from] != component[to] || !reported.add(component[from])) {
                    continue;
                }
                List<Integer> path = path(to, from, allowed, component);
                List<Integer> cycle = new ArrayList<>();
                cycle.add(from);
                cycle.addAll(path);
                boolean usesWr = false;
                StringBuilder text = new StringBuilder();
                for (int i = 0; i + 1 < cycle.size(); i++) {
                    int kinds = edges.get(cycle.get(i)).get(cycle.get(i + 1)) & allowed;
                    String kind = (kinds & WW) != 0 ? "ww" : (kinds & WR) != 0 ? "wr" : "process";
                    usesWr |= kind.equals("wr");
                    text.append("op ").append(cycle.get(i)).append(' ').append(history.get(cycle.get(i)).txn())
                            .append(" -").append(kind).append("-> ");
                }
                text.append("op ").append(from);
                report(usesWr ? withWr : withoutWr, text.toString());
            }
        }
    }

    /** Tarjan's strongly connected components, iteratively (histories hold tens of thousands of ops). */
    private int[] components(int allowed) {
        int n = edges.size();
        int[] index = new int[n];
        int[] low = new int[n];
        int[] component = new int[n];
        boolean[] onStack = new boolean[n];
        Arrays.fill(index, -1);
        ArrayDeque<Integer> stack = new ArrayDeque<>();
        List<List<Integer>> successors = new ArrayList<>(Collections.nCopies(n, null));
        int counter = 0;
        int components = 0;
        for (int root = 0; root < n; root++) {
            if (index[root] >= 0) {
                continue;
            }
            ArrayDeque<int[]> work = new ArrayDeque<>(); // {vertex, position in its successor list}
            work.push(new int[] {root, 0});
            index[root] = low[root] = counter++;
            stack.push(root);
            onStack[root] = true;
            while (!work.isEmpty()) {
                int[] frame = work.peek();
                int v = frame[0];
                List<Integer> next = successors.get(v);
                if (next == null) {
                    next = new ArrayList<>();
                    for (Map.Entry<Integer, Integer> edge : edges.get(v).entrySet()) {
                        if ((edge.getValue() & allowed) != 0) {
                            next.add(edge.getKey());
                        }
                    }
                    successors.set(v, next);
                }
                if (frame[1] < next.size()) {
                    int w = next.get(frame[1]++);
                    if (index[w] < 0) {
                        index[w] = low[w] = counter++;
                        stack.push(w);
                        onStack[w] = true;
                        work.push(new int[] {w, 0});
                    } else if (onStack[w]) {
                        low[v] = Math.min(low[v], index[w]);
                    }
                    continue;
                }
                work.pop();
                if (!work.isEmpty()) {
                    int parent = work.peek()[0];
                    low[parent] = Math.min(low[parent], low[v]);
                }
                if (low[v] == index[v]) {
                    int w;
                    do {
                        w = stack.pop();
                        onStack[w] = false;
                        component[w] = components;
                    } while (w != v);
                    components++;
                }
            }
        }
        return component;
    }

    /** A shortest path from {@code from} to {@code to} inside their component (breadth first). */
    private List<Integer> path(int from, int to, int allowed, int[] component) {
        Map<Integer, Integer> parent = new HashMap<>();
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        parent.put(from, from);
        queue.add(from);
        while (!queue.isEmpty()) {
            int v = queue.poll();
            if (v == to) {
                break;
            }
            for (Map.Entry<Integer, Integer> edge : edges.get(v).entrySet()) {
                int w = edge.getKey();
                if ((edge.getValue() & allowed) != 0 && component[w] == component[from] && parent.putIfAbsent(w, v) == null) {
                    queue.add(w);
                }
            }
        }
        List<Integer> path = new ArrayList<>();
        for (int v = to; v != from; v = parent.get(v)) {
            path.add(0, v);
        }
        path.add(0, from);
        return path;
    }

    // ---- reporting ------------------------------------------------------------------------

    private void report(String anomaly, String example) {
        List<String> examples = anomalies.computeIfAbsent(anomaly, name -> new ArrayList<>());
        if (examples.size() < EXAMPLES) {
            examples.add(example);
        }
    }

    private static String show(KeyValue kv) {
        return "key " + kv.key() + " = " + kv.value();
    }

    /** 1 as an int and 1 as a long are the same key: compare integral numbers as longs. */
    static JsonNode canonical(JsonNode node) {
        if (node == null) {
            return NullNode.getInstance();
        }
        return node.isIntegralNumber() && node.canConvertToLong() ? LongNode.valueOf(node.asLong()) : node;
    }
}
