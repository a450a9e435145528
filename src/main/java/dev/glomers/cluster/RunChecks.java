package dev.glomers.cluster;

import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.check.Quantiles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** The checks and figures every run gets, whatever its workload: availability, protocol, latencies. */
final class RunChecks {

    private RunChecks() {
    }

    /** maelstrom/checker.clj availability-checker: ok completions / invocations, against --availability. */
    static CheckResult availability(List<Op> ops, Double required) {
        long invokes = ops.stream().filter(op -> op.isClientOp() && op.isInvoke()).count();
        long oks = ops.stream().filter(op -> op.isClientOp() && op.isOk()).count();
        double fraction = invokes == 0 ? 1 : (double) oks / invokes;
        Verdict verdict = required == null ? Verdict.VALID
                : required == 1.0 ? Verdict.of(oks == invokes) : Verdict.of(fraction >= required);
        String summary = String.format(Locale.ROOT, "%d of %d operations ok (%.4f)%s", oks, invokes, fraction,
                required == null ? "" : required == 1.0 ? ", total availability required" : ", required " + required);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("ok-fraction", fraction);
        details.put("ok-count", oks);
        details.put("invoke-count", invokes);
        details.put("fail-count", ops.stream().filter(op -> op.isClientOp() && op.type() == Op.Type.FAIL).count());
        details.put("info-count", ops.stream().filter(op -> op.isClientOp() && op.type() == Op.Type.INFO).count());
        details.put("by-f", countsByF(ops));
        return new CheckResult("availability", verdict, summary, details);
    }

    /** Completions per operation and outcome, like Jepsen's stats checker: {read={ok=10, info=1}, ...}. */
    private static Map<String, Map<String, Long>> countsByF(List<Op> ops) {
        Map<String, Map<String, Long>> byF = new TreeMap<>();
        for (Op op : ops) {
            if (op.isClientOp() && !op.isInvoke()) {
                byF.computeIfAbsent(op.f(), f -> new TreeMap<>()).merge(op.type().name().toLowerCase(Locale.ROOT),
                        1L, Long::sum);
            }
        }
        return byF;
    }

    /** Our own check: the wire was clean (every stdout line JSON, replies well-formed, no early exits). */
    static CheckResult protocol(ProtocolErrors errors) {
        long count = errors.count();
        return new CheckResult("protocol", Verdict.of(count == 0),
                count == 0 ? "clean wire" : count + " protocol errors, e.g. " + errors.examples().get(0),
                Map.of("error-count", count, "examples", errors.examples()));
    }

    /** Client latency quantiles in ms over ok operations, overall and by f. */
    static Map<String, Map<String, Long>> latencies(List<Op> ops) {
        Map<String, List<Long>> byF = new TreeMap<>();
        List<Long> all = new ArrayList<>();
        for (Op op : ops) {
            if (op.isClientOp() && op.isOk()) {
                long ms = TimeUnit.NANOSECONDS.toMillis(op.timeNanos() - ops.get(op.invocation()).timeNanos());
                all.add(ms);
                byF.computeIfAbsent(op.f(), f -> new ArrayList<>()).add(ms);
            }
        }
        Map<String, Map<String, Long>> result = new LinkedHashMap<>();
        result.put("all", Quantiles.of(all));
        byF.forEach((f, samples) -> result.put(f, Quantiles.of(samples)));
        return result;
    }
}
