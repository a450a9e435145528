package dev.glomers.cluster.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.ClusterOptions;
import dev.glomers.cluster.History;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.Op;
import dev.glomers.cluster.check.TxnChecker;
import dev.glomers.cluster.check.TxnOp;
import dev.glomers.workload.txn.MicroOp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * txn-rw-register (jepsen-io/maelstrom src/maelstrom/workload/txn_rw_register.clj): transactions of 1-4
 * reads and writes over a few keys, write values unique per key ({@link TxnGenerator}); checked for the
 * anomalies the {@code --consistency-models} forbid ({@link TxnChecker}: G0, G1a, G1b, G1c and their
 * relatives; the workbench's default, strict-serializable, only through its weaker anomalies).
 */
public final class TxnRwRegisterLoad extends TxnClientLoad {

    private TxnGenerator generator = TxnGenerator.defaults(0);

    @Override
    public String name() {
        return "txn-rw-register";
    }

    /** Shapes the transactions by --key-count, --max-txn-length and --max-writes-per-key. */
    @Override
    public void setUp(SetupContext setup) {
        ClusterOptions options = setup.options();
        generator = new TxnGenerator(0, options.keyCount() == null ? TxnGenerator.DEFAULT_KEY_COUNT : options.keyCount(),
                options.maxTxnLength(), options.maxWritesPerKey());
    }

    @Override
    public Invocation nextInvocation(Random random) {
        return Invocation.of("txn", MicroOp.toJson(generator.next(random)));
    }

    /** The reply must be the invoked transaction with only the read values filled in. */
    @Override
    boolean valueFits(JsonNode asked, JsonNode value) {
        return !asked.get(0).asText().equals(MicroOp.WRITE) || Json.canonical(value).equals(Json.canonical(asked.get(2)));
    }

    @Override
    public List<CheckResult> check(History history, CheckContext context) {
        List<String> models = context.consistencyModels();
        TxnChecker.Result result;
        try {
            result = TxnChecker.check(transactions(history), models);
        } catch (IllegalArgumentException unknownModel) {
            return List.of(new CheckResult(name(), Verdict.UNKNOWN, unknownModel.getMessage(), Map.of()));
        }
        Verdict verdict = !result.valid() ? Verdict.INVALID : result.unjudged().isEmpty() ? Verdict.VALID : Verdict.UNKNOWN;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("consistency-models", models);
        details.put("prohibited-anomalies", List.copyOf(result.prohibited()));
        details.put("anomalies", result.anomalies());
        details.put("ok-count", result.ok());
        details.put("fail-count", result.failed());
        details.put("info-count", result.indeterminate());
        if (!result.unjudged().isEmpty()) {
            details.put("judged-only-through-weaker-anomalies", List.copyOf(result.unjudged()));
        }
        String summary = result.ok() + " ok, " + result.failed() + " failed, " + result.indeterminate() + " indeterminate; "
                + (result.anomalies().isEmpty() ? "no anomalies" : "anomalies " + result.anomalies().keySet())
                + " (" + String.join(", ", models) + " forbid " + result.prohibited() + ")";
        return List.of(new CheckResult(name(), verdict, summary, details));
    }

    /** Client transactions in invocation order, each with how it ended (no completion: indeterminate). */
    static List<TxnOp> transactions(History history) {
        Map<Integer, Op> completions = History.completionsByInvocation(history.ops());
        List<TxnOp> txns = new ArrayList<>();
        for (Op op : history.ops()) {
            if (!op.isClientOp() || !op.isInvoke() || !op.f().equals("txn")) {
                continue;
            }
            Op completion = completions.get(op.index());
            if (completion != null && completion.isOk()) {
                txns.add(new TxnOp(op.process(), TxnOp.Status.OK, MicroOp.parseAll(completion.value())));
            } else {
                TxnOp.Status status = completion != null && completion.type() == Op.Type.FAIL ? TxnOp.Status.FAIL : TxnOp.Status.INFO;
                txns.add(new TxnOp(op.process(), status, MicroOp.parseAll(op.value())));
            }
        }
        return txns;
    }
}
