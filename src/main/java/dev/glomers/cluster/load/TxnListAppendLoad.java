package dev.glomers.cluster.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.ClusterOptions;
import dev.glomers.cluster.History;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.Op;
import dev.glomers.cluster.check.ListAppendChecker;
import dev.glomers.cluster.check.ListAppendChecker.Anomaly;
import dev.glomers.cluster.check.ListAppendChecker.Status;
import dev.glomers.cluster.check.ListAppendChecker.Txn;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * txn-list-append (jepsen-io/maelstrom src/maelstrom/workload/txn_list_append.clj): transactions of reads
 * and appends over a few keys at a time ({@link ListAppendGenerator}), checked in Elle's way for the
 * anomalies {@code --consistency-models} rule out (default strict-serializable; {@link ListAppendChecker}).
 */
public final class TxnListAppendLoad extends TxnClientLoad {

    /** Elle's default pool size for its exponential key distribution. */
    private static final int DEFAULT_KEY_COUNT = 10;

    private ListAppendGenerator generator = new ListAppendGenerator(DEFAULT_KEY_COUNT, 4, 16);

    @Override
    public String name() {
        return "txn-list-append";
    }

    /** Shapes the transactions by --key-count, --max-txn-length and --max-writes-per-key. */
    @Override
    public void setUp(SetupContext setup) {
        ClusterOptions options = setup.options();
        generator = new ListAppendGenerator(options.keyCount() == null ? DEFAULT_KEY_COUNT : options.keyCount(),
                options.maxTxnLength(), options.maxWritesPerKey());
    }

    @Override
    public Invocation nextInvocation(Random random) {
        return Invocation.of("txn", generator.next(random));
    }

    /**
     * Reads come back with a list (or null, which the workbench's schema lets through and Elle reads as the
     * empty list), appends unchanged.
     */
    @Override
    boolean valueFits(JsonNode asked, JsonNode value) {
        return asked.get(0).asText().equals("r")
                ? value.isArray() || value.isNull()
                : Json.canonical(value).equals(Json.canonical(asked.get(2)));
    }

    @Override
    public List<CheckResult> check(History history, CheckContext context) {
        List<String> models = context.consistencyModels();
        long started = System.nanoTime();
        ListAppendChecker.Result result;
        try {
            result = ListAppendChecker.check(transactions(history), models);
        } catch (IllegalArgumentException unusable) {
            return List.of(new CheckResult(name(), Verdict.UNKNOWN, unusable.getMessage(), Map.of()));
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        Map<String, List<Anomaly>> bad = result.prohibitedAnomalies();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("consistency-models", models);
        details.put("ok-count", result.ok());
        details.put("fail-count", result.failed());
        details.put("info-count", result.indeterminate());
        details.put("anomaly-counts", result.counts());
        details.put("anomalies", examples(bad));
        Map<String, List<Anomaly>> allowed = new LinkedHashMap<>(result.anomalies());
        allowed.keySet().removeAll(bad.keySet());
        if (!allowed.isEmpty()) {
            details.put("allowed-anomalies", examples(allowed));
        }
        if (result.unknownReason() != null) {
            details.put("unknown-because", result.unknownReason());
        }
        details.put("check-millis", millis);
        String summary = result.ok() + " ok, " + result.failed() + " failed, " + result.indeterminate()
                + " indeterminate; " + (bad.isEmpty() ? "no prohibited anomalies" : "anomalies " + bad.keySet())
                + " (" + String.join(", ", models) + ")"
                + (result.unknownReason() == null ? "" : "; " + result.unknownReason());
        return List.of(new CheckResult(name(), result.verdict(), summary, details));
    }

    private static Map<String, Object> examples(Map<String, List<Anomaly>> anomalies) {
        Map<String, Object> json = new LinkedHashMap<>();
        anomalies.forEach((type, list) -> json.put(type, list.stream().map(Anomaly::toMap).toList()));
        return json;
    }

    /** One transaction per client invocation, ended as its completion says (none: indeterminate). */
    static List<Txn> transactions(History history) {
        List<Op> ops = history.ops();
        Map<Integer, Op> completions = History.completionsByInvocation(ops);
        List<Txn> txns = new ArrayList<>();
        for (Op op : ops) {
            if (!op.isClientOp() || !op.isInvoke() || !op.f().equals("txn")) {
                continue;
            }
            Op completion = completions.get(op.index());
            Status status = completion == null || completion.type() == Op.Type.INFO ? Status.INFO
                    : completion.isOk() ? Status.OK : Status.FAIL;
            JsonNode value = status == Status.OK ? completion.value() : op.value();
            long completedAt = status == Status.INFO ? Long.MAX_VALUE : completion.index();
            txns.add(new Txn(op.index(), op.process(), status, value, op.index(), completedAt));
        }
        return txns;
    }
}
