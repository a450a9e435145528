package dev.glomers.cluster.check;

import static dev.glomers.cluster.check.DependencyGraph.DATA;
import static dev.glomers.cluster.check.DependencyGraph.REALTIME;
import static dev.glomers.cluster.check.DependencyGraph.RW;
import static dev.glomers.cluster.check.DependencyGraph.WR;
import static dev.glomers.cluster.check.DependencyGraph.WW;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Elle's list-append analysis (jepsen-io/elle src/elle/list_append.clj and txn.clj), for histories of
 * transactions of reads {@code ["r", k, [e...]]} and appends {@code ["append", k, e]} with elements
 * unique per key.
 *
 * <p>Because appends only ever extend a list, every read reveals the order of the appends before it. Per
 * key, the longest read gives the version order; every other read must be a prefix of it (otherwise
 * {@code incompatible-order}), and no read may hold an element twice ({@code duplicate-elements}). Appends
 * no read shows come after the longest read. From the orders: T1 -ww-> T2 when T2 appended right after
 * T1's element, T1 -wr-> T2 when T2 read a list ending with T1's element, T1 -rw-> T2 when T1 read the
 * state T2's append replaced; for strict serializability also T1 -realtime-> T2 when T1 completed before
 * T2 was invoked (only a transitive reduction of that order, as Elle builds it, so edges stay linear in
 * the history). Failed transactions take no part; indeterminate ones do, through their appends.
 *
 * <p>Cycles are found by strongly connected components, then per component a shortest cycle of each
 * class, searched from the most severe down and skipping classes a found one implies: G0 (ww only), G1c
 * (ww and wr), G-single (exactly one rw), G2-item (several rw, two of them adjacent) or G-nonadjacent
 * (several rw, none adjacent), each with a "-realtime" variant when it needs a real-time edge. Outside the
 * graph: G1a (a read sees an element of a failed transaction), G1b (a read ends at an element its writer
 * appended to the key again later), internal (a read disagrees with the transaction's own earlier reads
 * and appends), future-read, lost-update, and, our addition, garbage-read: an element nobody appended
 * (Elle's dirty-update pass throws on it, and Jepsen then reports the run as unknown).
 */
public final class ListAppendChecker {

    private static final int INIT = -1;
    /** Edge visits one cycle search may spend in one component before reporting what it has. */
    private static final long SEARCH_BUDGET = 2_000_000;
    /** Anomalies kept per class in a report; the count says how many there were. */
    private static final int EXAMPLES_PER_CLASS = 8;

    /** How a transaction ended. */
    public enum Status {
        OK, INFO, FAIL
    }

    /**
     * One client transaction.
     *
     * @param id a name unique in the history (the runner uses the invocation's history index)
     * @param value the micro-ops: for ok, as completed (reads filled in); otherwise as invoked
     * @param invokedAt the invocation's position in the history
     * @param completedAt the completion's position, or {@link Long#MAX_VALUE} if it never completed
     */
    public record Txn(int id, int process, Status status, JsonNode value, long invokedAt, long completedAt) {
    }

    /** One anomaly: its class, what went wrong in words, and the transactions involved. */
    public record Anomaly(String type, String explanation, List<String> txns) {
        public Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("type", type);
            map.put("explanation", explanation);
            map.put("txns", txns);
            return map;
        }
    }

    /**
     * The analysis.
     *
     * @param anomalies every anomaly found, by class, prohibited or not (a few examples of each)
     * @param counts how many anomalies of each class were found
     * @param prohibited the classes the consistency models rule out
     * @param unknownReason why the history could not be judged (null when it could)
     */
    public record Result(List<String> models, Set<String> prohibited, Map<String, List<Anomaly>> anomalies,
            Map<String, Integer> counts, int ok, int failed, int indeterminate, String unknownReason) {

        public Map<String, List<Anomaly>> prohibitedAnomalies() {
            Map<String, List<Anomaly>> bad = new TreeMap<>(anomalies);
            bad.keySet().retainAll(prohibited);
            return bad;
        }

        public Verdict verdict() {
            if (!prohibitedAnomalies().isEmpty()) {
                return Verdict.INVALID;
            }
            return unknownReason == null ? Verdict.VALID : Verdict.UNKNOWN;
        }
    }

    // ---- consistency models (elle.consistency-model, restricted to what this analysis can find) ----

    private static final Set<String> READ_UNCOMMITTED = Set.of("G0", "duplicate-elements", "garbage-read");
    private static final Set<String> READ_COMMITTED = union(READ_UNCOMMITTED,
            Set.of("G1a", "G1b", "G1c", "incompatible-order", "future-read"));
    private static final Set<String> SNAPSHOT_ISOLATION = union(READ_COMMITTED,
            Set.of("G-single", "G-nonadjacent", "internal", "lost-update"));
    private static final Set<String> SERIALIZABLE = union(SNAPSHOT_ISOLATION, Set.of("G2-item"));
    private static final Set<String> STRICT_SERIALIZABLE = union(SERIALIZABLE, Set.of("G0-realtime",
            "G1c-realtime", "G-single-realtime", "G-nonadjacent-realtime", "G2-item-realtime"));

    /** The models understood here, by name (Elle's names and aliases). */
    public static final Map<String, Set<String>> MODELS = Map.of(
            "read-uncommitted", READ_UNCOMMITTED,
            "read-committed", READ_COMMITTED,
            "snapshot-isolation", SNAPSHOT_ISOLATION,
            "serializable", SERIALIZABLE,
            "conflict-serializable", SERIALIZABLE,
            "strict-serializable", STRICT_SERIALIZABLE,
            "strong-serializable", STRICT_SERIALIZABLE);

    /** The anomaly classes {@code models} rule out; throws IllegalArgumentException for an unknown model. */
    public static Set<String> prohibitedBy(List<String> models) {
        Set<String> prohibited = new TreeSet<>();
        for (String model : models) {
            Set<String> anomalies = MODELS.get(model);
            if (anomalies == null) {
                throw new IllegalArgumentException("unknown consistency model " + model + "; known: "
                        + new TreeSet<>(MODELS.keySet()));
            }
            prohibited.addAll(anomalies);
        }
        return prohibited;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new HashSet<>(a);
        u.addAll(b);
        return Set.copyOf(u);
    }

    // ---- the analysis ----

    private final List<Txn> txns;
    private final Parsed[] parsed;
    private final Map<JsonNode, Integer> keyIds = new HashMap<>();
    private final List<JsonNode> keyNames = new ArrayList<>();
    private final Map<JsonNode, Integer> elementIds = new HashMap<>();
    private final List<JsonNode> elementNames = new ArrayList<>();
    private final Map<String, List<Anomaly>> anomalies = new TreeMap<>();
    private final Map<String, Integer> anomalyCounts = new TreeMap<>();

    /** (key, element) -> the ok or indeterminate transaction that appended it. */
    private final Map<Long, Integer> writer = new HashMap<>();
    /** (key, element) -> the failed transaction that appended it. */
    private final Map<Long, Integer> failedWriter = new HashMap<>();
    /** (key, element) -> a transaction that appended it and then appended to the key again. */
    private final Map<Long, Integer> intermediateWriter = new HashMap<>();
    /** (key, last element read or INIT) -> ok transactions that read that state. */
    private final Map<Long, List<Integer>> readers = new HashMap<>();
    /** key -> the version order (distinct elements of the longest read). */
    private final Map<Integer, int[]> versionOrder = new HashMap<>();
    /** (key, element) -> position in its key's version order. */
    private final Map<Long, Integer> versionIndex = new HashMap<>();
    private String unknownReason;

    private ListAppendChecker(List<Txn> txns) {
        this.txns = txns;
        this.parsed = new Parsed[txns.size()];
    }

    /**
     * Analyses {@code txns} (one per invocation, in any order) for {@code models}. Throws
     * IllegalArgumentException for an unknown model or a micro-op that is neither a read nor an append.
     */
    public static Result check(List<Txn> txns, List<String> models) {
        Set<String> prohibited = prohibitedBy(models);
        boolean realtime = models.stream().anyMatch(m -> MODELS.get(m).contains("G1c-realtime"));
        ListAppendChecker checker = new ListAppendChecker(txns);
        checker.run(realtime);
        int ok = 0;
        int failed = 0;
        for (Txn txn : txns) {
            ok += txn.status() == Status.OK ? 1 : 0;
            failed += txn.status() == Status.FAIL ? 1 : 0;
        }
        Map<String, List<Anomaly>> found = new TreeMap<>(checker.anomalies);
        return new Result(List.copyOf(models), prohibited, found, new TreeMap<>(checker.anomalyCounts), ok, failed,
                txns.size() - ok - failed, checker.unknownReason);
    }

    /** Counts an anomaly; the first few of each class are kept as examples. */
    private void report(Anomaly anomaly) {
        anomalyCounts.merge(anomaly.type(), 1, Integer::sum);
        List<Anomaly> examples = anomalies.computeIfAbsent(anomaly.type(), t -> new ArrayList<>());
        if (examples.size() < EXAMPLES_PER_CLASS) {
            examples.add(anomaly);
        }
    }

    private void run(boolean realtime) {
        for (int t = 0; t < txns.size(); t++) {
            parsed[t] = parse(txns.get(t));
        }
        indexAppends();
        indexReads();
        checkWithinTransactions();
        checkReadsAgainstWriters();
        DependencyGraph graph = new DependencyGraph(txns.size());
        addDataEdges(graph);
        if (realtime) {
            addRealtimeEdges(graph);
        }
        graph.freeze();
        if (!graph.hasEdges() && unknownReason == null) {
            unknownReason = "empty transaction graph: no transaction depends on another, nothing to judge";
        }
        searchCycles(graph, realtime);
    }

    // ---- parsing ----

    /** A transaction's micro-ops with keys and elements as small integers. */
    private record Parsed(boolean[] append, int[] key, int[] element, int[][] read) {
        int size() {
            return append.length;
        }
    }

    private Parsed parse(Txn txn) {
        JsonNode value = txn.value();
        if (value == null || !value.isArray()) {
            throw new IllegalArgumentException("transaction " + txn.id() + " is not a list of micro-ops: " + value);
        }
        int n = value.size();
        boolean[] append = new boolean[n];
        int[] key = new int[n];
        int[] element = new int[n];
        int[][] read = new int[n][];
        for (int i = 0; i < n; i++) {
            JsonNode mop = value.get(i);
            if (!mop.isArray() || mop.size() != 3) {
                throw new IllegalArgumentException("malformed micro-op in transaction " + txn.id() + ": " + mop);
            }
            String f = mop.get(0).asText();
            key[i] = keyId(mop.get(1));
            if (f.equals("append")) {
                append[i] = true;
                element[i] = elementId(mop.get(2));
            } else if (f.equals("r")) {
                JsonNode list = mop.get(2);
                if (txn.status() == Status.OK) {
                    // An ok read of null is a read of the initial (empty) state, as in Elle.
                    read[i] = new int[list.isNull() ? 0 : list.size()];
                    if (!list.isNull() && !list.isArray()) {
                        throw new IllegalArgumentException("read of a non-list in transaction " + txn.id() + ": " + mop);
                    }
                    for (int j = 0; j < read[i].length; j++) {
                        read[i][j] = elementId(list.get(j));
                    }
                }
            } else {
                throw new IllegalArgumentException("micro-op neither r nor append in transaction " + txn.id() + ": " + mop);
            }
        }
        return new Parsed(append, key, element, read);
    }

    private int keyId(JsonNode key) {
        return keyIds.computeIfAbsent(Json.canonical(key), k -> {
            keyNames.add(k);
            return keyNames.size() - 1;
        });
    }

    private int elementId(JsonNode element) {
        return elementIds.computeIfAbsent(Json.canonical(element), e -> {
            elementNames.add(e);
            return elementNames.size() - 1;
        });
    }

    private static long pair(int key, int element) {
        return ((long) key << 32) | (element & 0xffffffffL);
    }

    private boolean possible(int t) {
        return txns.get(t).status() != Status.FAIL;
    }

    private boolean ok(int t) {
        return txns.get(t).status() == Status.OK;
    }

    /** Micro-op {@code i} of transaction {@code t} read {@code key} as {@code read}. */
    private interface ReadVisitor {
        void visit(int t, int i, int key, int[] read);
    }

    /** Visits every read of every transaction that completed ok (what the others read is unknown), in order. */
    private void forEachOkRead(ReadVisitor visitor) {
        for (int t = 0; t < txns.size(); t++) {
            if (!ok(t)) {
                continue;
            }
            Parsed p = parsed[t];
            for (int i = 0; i < p.size(); i++) {
                if (p.read()[i] != null) {
                    visitor.visit(t, i, p.key()[i], p.read()[i]);
                }
            }
        }
    }

    // ---- indices ----

    private void indexAppends() {
        Set<Long> appended = new HashSet<>();
        for (int t = 0; t < txns.size(); t++) {
            Parsed p = parsed[t];
            Map<Integer, Integer> lastAppend = new HashMap<>();
            for (int i = 0; i < p.size(); i++) {
                if (!p.append()[i]) {
                    continue;
                }
                long kv = pair(p.key()[i], p.element()[i]);
                if (!appended.add(kv) && unknownReason == null) {
                    unknownReason = "element " + elementNames.get(p.element()[i]) + " appended to key "
                            + keyNames.get(p.key()[i]) + " more than once: the analysis needs unique appends";
                }
                (possible(t) ? writer : failedWriter).put(kv, t);
                Integer previous = lastAppend.put(p.key()[i], p.element()[i]);
                if (previous != null) {
                    intermediateWriter.put(pair(p.key()[i], previous), t);
                }
            }
        }
    }

    /** Version orders from the longest reads; incompatible orders and duplicates reported on the way. */
    private void indexReads() {
        Map<Integer, int[]> longest = new HashMap<>();
        Map<Integer, Integer> longestReader = new HashMap<>();
        forEachOkRead((t, i, k, read) -> {
            readers.computeIfAbsent(pair(k, read.length == 0 ? INIT : read[read.length - 1]),
                    x -> new ArrayList<>()).add(t);
            if (read.length > 0 && (!longest.containsKey(k) || read.length > longest.get(k).length)) {
                longest.put(k, read);
                longestReader.put(k, t);
            }
            reportDuplicates(t, i, read);
        });
        // Every read must be a prefix of the longest one of its key.
        Set<Integer> incompatibleKeys = new HashSet<>();
        forEachOkRead((t, i, k, read) -> {
            if (read.length == 0 || incompatibleKeys.contains(k)) {
                return;
            }
            int[] order = longest.get(k);
            if (!isPrefix(read, order)) {
                incompatibleKeys.add(k);
                report(new Anomaly("incompatible-order", "reads of key " + keyNames.get(k) + " saw "
                        + elements(read) + " and " + elements(order)
                        + ": neither is a prefix of the other, so no single order of appends explains both",
                        List.of(describe(t), describe(longestReader.get(k)))));
            }
        });
        for (Map.Entry<Integer, int[]> entry : longest.entrySet()) {
            int[] order = Arrays.stream(entry.getValue()).distinct().toArray();
            versionOrder.put(entry.getKey(), order);
        }
        // A key with a single append and no read of it still has a known order: [], [e].
        Map<Integer, Integer> appendsPerKey = new HashMap<>();
        Map<Integer, Integer> onlyElement = new HashMap<>();
        for (int t = 0; t < txns.size(); t++) {
            if (!possible(t)) {
                continue;
            }
            Parsed p = parsed[t];
            for (int i = 0; i < p.size(); i++) {
                if (p.append()[i]) {
                    appendsPerKey.merge(p.key()[i], 1, Integer::sum);
                    onlyElement.put(p.key()[i], p.element()[i]);
                }
            }
        }
        appendsPerKey.forEach((k, count) -> {
            if (count == 1 && !versionOrder.containsKey(k)) {
                versionOrder.put(k, new int[] {onlyElement.get(k)});
            }
        });
        versionOrder.forEach((k, order) -> {
            for (int i = 0; i < order.length; i++) {
                versionIndex.put(pair(k, order[i]), i);
            }
        });
    }

    private static boolean isPrefix(int[] a, int[] b) {
        return a.length <= b.length && Arrays.equals(a, 0, a.length, b, 0, a.length);
    }

    private void reportDuplicates(int t, int i, int[] read) {
        Set<Integer> seen = new HashSet<>();
        Set<Integer> duplicated = new LinkedHashSet<>();
        for (int e : read) {
            if (!seen.add(e)) {
                duplicated.add(e);
            }
        }
        if (!duplicated.isEmpty()) {
            report(new Anomaly("duplicate-elements", "a read of key " + keyNames.get(parsed[t].key()[i]) + " saw "
                    + elements(duplicated.stream().mapToInt(Integer::intValue).toArray())
                    + " more than once, though each element is appended once", List.of(describe(t))));
        }
    }

    // ---- anomalies within one transaction, and reads against their writers ----

    private void checkWithinTransactions() {
        Map<String, List<Integer>> sameReadThenAppend = new LinkedHashMap<>();
        for (int t = 0; t < txns.size(); t++) {
            if (!ok(t)) {
                continue;
            }
            Parsed p = parsed[t];
            // Elle's INT: the state each read must show, from this txn's own reads and appends; a null
            // prefix means "whatever was there before our first append".
            Map<Integer, List<Integer>> expected = new HashMap<>();
            Set<Integer> unknownPrefix = new HashSet<>();
            Map<Integer, Set<Integer>> readSoFar = new HashMap<>();
            Map<Integer, int[]> firstRead = new HashMap<>();
            Set<Integer> appendedKeys = new HashSet<>();
            boolean internalReported = false;
            boolean futureReported = false;
            for (int i = 0; i < p.size(); i++) {
                int k = p.key()[i];
                if (p.append()[i]) {
                    int e = p.element()[i];
                    expected.computeIfAbsent(k, x -> {
                        unknownPrefix.add(x);
                        return new ArrayList<>();
                    }).add(e);
                    if (!futureReported && readSoFar.getOrDefault(k, Set.of()).contains(e)) {
                        futureReported = true;
                        report(new Anomaly("future-read", "read element " + elementNames.get(e) + " of key "
                                + keyNames.get(k) + " before appending it itself", List.of(describe(t))));
                    }
                    if (appendedKeys.add(k) && firstRead.containsKey(k)) {
                        sameReadThenAppend.computeIfAbsent(keyNames.get(k) + " as " + elements(firstRead.get(k)),
                                x -> new ArrayList<>()).add(t);
                    }
                    continue;
                }
                int[] read = p.read()[i];
                if (!appendedKeys.contains(k)) {
                    firstRead.putIfAbsent(k, read);
                }
                List<Integer> state = expected.get(k);
                if (!internalReported && state != null && !consistent(read, state, unknownPrefix.contains(k))) {
                    internalReported = true;
                    report(new Anomaly("internal", "read key " + keyNames.get(k) + " as " + elements(read)
                            + " but its own earlier operations say " + (unknownPrefix.contains(k) ? "[..., " : "[")
                            + joined(state) + "]", List.of(describe(t))));
                }
                expected.put(k, Arrays.stream(read).boxed().collect(Collectors.toList()));
                unknownPrefix.remove(k);
                Set<Integer> seen = readSoFar.computeIfAbsent(k, x -> new HashSet<>());
                for (int e : read) {
                    seen.add(e);
                }
            }
        }
        sameReadThenAppend.forEach((keyAndState, group) -> {
            if (group.size() > 1) {
                report(new Anomaly("lost-update", group.size() + " committed transactions read key "
                        + keyAndState + " and then each appended to it, none seeing another's append",
                        group.stream().map(this::describe).toList()));
            }
        });
    }

    private static boolean consistent(int[] read, List<Integer> state, boolean unknownPrefix) {
        if (!unknownPrefix) {
            return read.length == state.size() && IntStream.range(0, read.length)
                    .allMatch(j -> read[j] == state.get(j));
        }
        int offset = read.length - state.size();
        return offset >= 0 && IntStream.range(0, state.size())
                .allMatch(j -> read[offset + j] == state.get(j));
    }

    private void checkReadsAgainstWriters() {
        forEachOkRead((t, i, k, read) -> {
            for (int e : read) {
                long kv = pair(k, e);
                Integer failed = failedWriter.get(kv);
                if (failed != null) {
                    report(new Anomaly("G1a", "read key " + keyNames.get(k) + " as " + elements(read)
                            + ", including element " + elementNames.get(e) + " of a transaction that failed",
                            List.of(describe(t), describe(failed))));
                } else if (!writer.containsKey(kv)) {
                    report(new Anomaly("garbage-read", "read key " + keyNames.get(k) + " as " + elements(read)
                            + ", including element " + elementNames.get(e) + " that no transaction appended",
                            List.of(describe(t))));
                }
            }
            if (read.length > 0) {
                int last = read[read.length - 1];
                Integer intermediate = intermediateWriter.get(pair(k, last));
                if (intermediate != null && intermediate != t) {
                    report(new Anomaly("G1b", "read key " + keyNames.get(k) + " as " + elements(read)
                            + ", a state in the middle of another transaction, which appended to the key again"
                            + " after " + elementNames.get(last), List.of(describe(t), describe(intermediate))));
                }
            }
        });
    }

    // ---- the dependency graph ----

    /** The element appended to {@code key} just before {@code element}, or INIT. */
    private int previousElement(int key, int element) {
        int[] order = versionOrder.getOrDefault(key, new int[0]);
        Integer index = versionIndex.get(pair(key, element));
        if (index == null) {
            // Never read: it came after everything that was.
            return order.length == 0 ? INIT : order[order.length - 1];
        }
        return index == 0 ? INIT : order[index - 1];
    }

    private void addDataEdges(DependencyGraph graph) {
        for (int t = 0; t < txns.size(); t++) {
            if (!possible(t)) {
                continue;
            }
            Parsed p = parsed[t];
            for (int i = 0; i < p.size(); i++) {
                int k = p.key()[i];
                if (p.append()[i]) {
                    int previous = previousElement(k, p.element()[i]);
                    if (previous != INIT) {
                        Integer before = writer.get(pair(k, previous));
                        if (before != null) {
                            graph.link(before, t, WW);
                        }
                    }
                    for (int reader : readers.getOrDefault(pair(k, previous), List.of())) {
                        graph.link(reader, t, RW);
                    }
                } else if (p.read()[i] != null && p.read()[i].length > 0) {
                    int[] read = p.read()[i];
                    Integer from = writer.get(pair(k, read[read.length - 1]));
                    if (from != null) {
                        graph.link(from, t, WR);
                    }
                }
            }
        }
    }

    /**
     * T1 -> T2 when T1 completed ok before T2 was invoked, reduced as Elle does: T2 gets edges from the
     * "frontier" of completions not already ordered before another completion, and a completion replaces
     * in the frontier everything that preceded its invocation.
     */
    private void addRealtimeEdges(DependencyGraph graph) {
        record Event(long at, int txn, boolean invoke) {
        }
        List<Event> events = new ArrayList<>();
        for (int t = 0; t < txns.size(); t++) {
            if (!possible(t)) {
                continue;
            }
            events.add(new Event(txns.get(t).invokedAt(), t, true));
            if (ok(t)) {
                events.add(new Event(txns.get(t).completedAt(), t, false));
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
                if (ok(event.txn())) {
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

    // ---- cycles ----

    private void searchCycles(DependencyGraph graph, boolean realtime) {
        int[] vertices = new int[graph.size()];
        for (int v = 0; v < vertices.length; v++) {
            vertices[v] = v;
        }
        int all = DATA | (realtime ? REALTIME : 0);
        List<int[]> components = graph.components(vertices, all);
        components.sort(Comparator.comparingInt(c -> c.length));
        for (int[] component : components) {
            searchComponent(graph, component, realtime);
        }
    }

    /** One cycle per class in a strongly connected component, most severe first, skipping implied classes. */
    private void searchComponent(DependencyGraph graph, int[] component, boolean realtime) {
        Set<String> found = new HashSet<>();
        // G0: write cycles only.
        recordCycle(graph, shortestCycle(graph, component, WW), WW, null, found);
        if (!found.contains("G0")) {
            recordCycle(graph, cycleThroughEdge(graph, component, WW | WR, WR, true, "G1c"), WW | WR, "G1c", found);
        }
        recordCycle(graph, cycleThroughEdge(graph, component, WW | WR, RW, false, "G-single"), DATA, "G-single", found);
        if (!found.contains("G-single")) {
            recordCycle(graph, shortestCycle(graph, component, DATA), DATA, null, found);
        }
        if (!realtime) {
            return;
        }
        if (!found.contains("G0")) {
            recordCycle(graph, shortestCycle(graph, component, WW | REALTIME), WW | REALTIME, null, found);
        }
        if (!found.contains("G0") && !found.contains("G1c") && !found.contains("G0-realtime")) {
            recordCycle(graph, cycleThroughEdge(graph, component, WW | WR | REALTIME, WR, true, "G1c-realtime"),
                    WW | WR | REALTIME, "G1c-realtime", found);
        }
        if (!found.contains("G-single")) {
            recordCycle(graph, cycleThroughEdge(graph, component, WW | WR | REALTIME, RW, false, "G-single-realtime"),
                    DATA | REALTIME, "G-single-realtime", found);
        }
        if (found.isEmpty()) {
            recordCycle(graph, shortestCycle(graph, component, DATA | REALTIME), DATA | REALTIME, null, found);
        }
    }

    /** A shortest cycle over {@code mask} in any strongly connected part of {@code component}, or null. */
    private int[] shortestCycle(DependencyGraph graph, int[] component, int mask) {
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
    private int[] cycleThroughEdge(DependencyGraph graph, int[] component, int pathMask, int kind, boolean withinParts,
            String wanted) {
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
                    if (classify(graph, cycle, pathMask | kind).equals(wanted)) {
                        best[0] = cycle;
                    }
                }
            }
        }
        return best[0];
    }

    /** The kind each step of a cycle is explained by: the first of ww, wr, rw, realtime it has in {@code mask}. */
    private static int[] stepKinds(DependencyGraph graph, int[] cycle, int mask) {
        int[] kinds = new int[cycle.length];
        for (int i = 0; i < cycle.length; i++) {
            int available = graph.kinds(cycle[i], cycle[(i + 1) % cycle.length]) & mask;
            kinds[i] = (available & WW) != 0 ? WW : (available & WR) != 0 ? WR : (available & RW) != 0 ? RW : REALTIME;
        }
        return kinds;
    }

    /** Elle's classification by the kinds of the steps. */
    private static String classify(DependencyGraph graph, int[] cycle, int mask) {
        int[] kinds = stepKinds(graph, cycle, mask);
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

    private void recordCycle(DependencyGraph graph, int[] cycle, int mask, String wanted, Set<String> found) {
        if (cycle == null) {
            return;
        }
        String type = classify(graph, cycle, mask);
        if ((wanted != null && !wanted.equals(type)) || found.contains(type)) {
            return;
        }
        found.add(type);
        int[] kinds = stepKinds(graph, cycle, mask);
        StringBuilder explanation = new StringBuilder("cycle of " + cycle.length + ": ");
        List<String> involved = new ArrayList<>();
        for (int i = 0; i < cycle.length; i++) {
            int a = cycle[i];
            int b = cycle[(i + 1) % cycle.length];
            explanation.append(i == 0 ? "" : "; ").append(explainStep(a, b, kinds[i]));
            involved.add(describe(a));
        }
        report(new Anomaly(type, explanation.toString(), involved));
    }

    private String explainStep(int a, int b, int kind) {
        String from = name(a);
        String to = name(b);
        String arrow = from + " -" + kindName(kind) + "-> " + to + " (";
        Parsed pb = parsed[b];
        if (kind == WW || kind == RW) {
            for (int i = 0; i < pb.size(); i++) {
                if (!pb.append()[i]) {
                    continue;
                }
                int k = pb.key()[i];
                int previous = previousElement(k, pb.element()[i]);
                String appended = "'s append of " + elementNames.get(pb.element()[i]) + " to key " + keyNames.get(k);
                if (kind == WW && previous != INIT && Integer.valueOf(a).equals(writer.get(pair(k, previous)))) {
                    return arrow + to + " appended " + elementNames.get(pb.element()[i]) + " right after " + from
                            + " appended " + elementNames.get(previous) + " to key " + keyNames.get(k) + ")";
                }
                if (kind == RW && readers.getOrDefault(pair(k, previous), List.of()).contains(a)) {
                    return arrow + from + " read key " + keyNames.get(k) + (previous == INIT ? " empty" : " ending at "
                            + elementNames.get(previous)) + ", missing " + to + appended + " that came next)";
                }
            }
        } else if (kind == WR) {
            for (int i = 0; i < pb.size(); i++) {
                int[] read = pb.read()[i];
                if (read != null && read.length > 0
                        && Integer.valueOf(a).equals(writer.get(pair(pb.key()[i], read[read.length - 1])))) {
                    return arrow + to + " read key " + keyNames.get(pb.key()[i]) + " ending at " + from + "'s "
                            + elementNames.get(read[read.length - 1]) + ")";
                }
            }
        } else {
            return arrow + from + " completed at history position " + txns.get(a).completedAt() + ", before " + to
                    + " was invoked at " + txns.get(b).invokedAt() + ")";
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

    // ---- readable names ----

    private String name(int t) {
        return "T" + txns.get(t).id();
    }

    private String describe(int t) {
        Txn txn = txns.get(t);
        return name(t) + " (process " + txn.process() + ", " + txn.status().name().toLowerCase() + "): "
                + Json.write(txn.value());
    }

    private String elements(int[] elements) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < elements.length; i++) {
            s.append(i == 0 ? "" : ", ").append(elementNames.get(elements[i]));
        }
        return s.append("]").toString();
    }

    private String joined(List<Integer> elements) {
        return String.join(", ", elements.stream().map(e -> elementNames.get(e).toString()).toList());
    }
}
