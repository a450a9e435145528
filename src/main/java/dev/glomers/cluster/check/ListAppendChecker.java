package dev.glomers.cluster.check;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.cluster.CheckResult.Verdict;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Elle's list-append analysis (jepsen-io/elle src/elle/list_append.clj and txn.clj), for histories of
 * transactions of reads {@code ["r", k, [e...]]} and appends {@code ["append", k, e]} with elements
 * unique per key. This class holds what callers see (transactions in, anomalies and a verdict out, the
 * consistency models); the analysis runs in stages, one class each:
 * <ol>
 * <li>{@link ListAppendHistory}: the micro-ops with keys and elements as small integers;
 * <li>{@link ListAppendVersions}: writers, readers and each key's version order (because appends only
 * extend a list, every read reveals the order of the appends before it); incompatible-order and
 * duplicate-elements;
 * <li>{@link ListAppendReadAnomalies}: what needs no graph: G1a, G1b, internal, future-read, lost-update,
 * and, our addition, garbage-read: an element nobody appended (Elle's dirty-update pass throws on it, and
 * Jepsen then reports the run as unknown);
 * <li>{@link ListAppendDependencies}: the ww, wr, rw (and real-time) edges between transactions;
 * <li>{@link ListAppendCycles}: the cycles of that graph, named G0, G1c, G-single, G2-item, G-nonadjacent
 * and their "-realtime" variants;
 * </ol>
 * all reporting to {@link ListAppendFindings}.
 */
public final class ListAppendChecker {

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

    private ListAppendChecker() {
    }

    /**
     * Analyses {@code txns} (one per invocation, in any order) for {@code models}. Throws
     * IllegalArgumentException for an unknown model or a micro-op that is neither a read nor an append.
     */
    public static Result check(List<Txn> txns, List<String> models) {
        Set<String> prohibited = prohibitedBy(models);
        boolean realtime = models.stream().anyMatch(m -> MODELS.get(m).contains("G1c-realtime"));
        ListAppendFindings findings = analyse(txns, realtime);
        int ok = 0;
        int failed = 0;
        for (Txn txn : txns) {
            ok += txn.status() == Status.OK ? 1 : 0;
            failed += txn.status() == Status.FAIL ? 1 : 0;
        }
        return new Result(List.copyOf(models), prohibited, findings.examples(), findings.counts(), ok, failed,
                txns.size() - ok - failed, findings.unknownReason());
    }

    /** The whole analysis, each stage in its own class, in the order its findings depend on. */
    private static ListAppendFindings analyse(List<Txn> txns, boolean realtime) {
        ListAppendFindings findings = new ListAppendFindings();
        ListAppendHistory history = new ListAppendHistory(txns);
        ListAppendVersions versions = ListAppendVersions.of(history, findings);
        ListAppendReadAnomalies.check(history, versions, findings);
        ListAppendDependencies dependencies = new ListAppendDependencies(history, versions);
        DependencyGraph graph = dependencies.graph(realtime);
        if (!graph.hasEdges()) {
            findings.cannotJudge("empty transaction graph: no transaction depends on another, nothing to judge");
        }
        new ListAppendCycles(graph, dependencies, history, findings).search(realtime);
        return findings;
    }
}
