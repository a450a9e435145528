package dev.glomers.cluster;

import dev.glomers.cluster.CheckResult.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a run found: a verdict per check, the workbench's {@code :net} figures, client latencies.
 *
 * @param net the workbench's {@code :net} map: all / clients / servers, each with send-count,
 *     recv-count, msg-count and (all, servers) msgs-per-op
 * @param opCount client invocations, the msgs-per-op denominator
 * @param latencies client latency quantiles in ms over ok operations: "all" and one entry per f
 * @param history every operation of the run (also in the run directory as history.jsonl)
 */
public record ClusterResult(ClusterOptions options, Verdict verdict, String setupError, List<CheckResult> checks,
        Map<String, Object> net, long opCount, Map<String, Map<String, Long>> latencies, Path runDir,
        double elapsedSeconds, History history) {

    /** The run's page of pictures, in the run directory. */
    public static final String REPORT_FILE = "report.html";

    /** Jepsen exits non-zero only for :valid? false; unknown (e.g. nothing stable yet) passes. */
    public boolean isValid() {
        return verdict != Verdict.INVALID;
    }

    public CheckResult check(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no check " + name + " in " + checks));
    }

    public double serverMsgsPerOp() {
        return MessageStats.msgsPerOp(((Number) group("servers").get("msg-count")).longValue(), opCount);
    }

    public double allMsgsPerOp() {
        return MessageStats.msgsPerOp(((Number) group("all").get("msg-count")).longValue(), opCount);
    }

    /** Stable-latency quantiles of a set-full check (broadcast, g-set), empty when there are none. */
    @SuppressWarnings("unchecked")
    public Map<String, Long> stableLatencies() {
        return checks.stream().filter(c -> c.name().equals("set-full")).findFirst()
                .map(c -> (Map<String, Long>) c.details().getOrDefault("stable-latencies", Map.of()))
                .orElse(Map.of());
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> group(String name) {
        return (Map<String, Object>) net.get(name);
    }

    /** Per fault asked for: how many times it began and, for kill and pause, how many nodes it took. */
    public Map<String, Map<String, Long>> faults() {
        return Faults.count(options.faults(), history.ops());
    }

    /** How soon the cluster served again after each all-clear of the faults (docs/faults.md, "Recovery"). */
    public Recovery.Report recovery() {
        return Recovery.measure(history.ops(), options.nodeIds(), (long) (options.timeLimitSeconds() * 1e9));
    }

    public String summary() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%n%s on %d node(s), %d client(s), rate %s, %s s, latency %d ms%s  (%s)%n",
                options.workload(), options.nodeCount(), options.concurrency(), trim(options.rate()),
                trim(options.timeLimitSeconds()), options.latencyMillis(),
                options.faults().isEmpty() ? "" : ", nemesis " + String.join(",", options.faults()), runDir));
        for (CheckResult c : checks) {
            s.append(String.format(Locale.ROOT, "  %-22s %-8s %s%n", c.name(), c.verdict().label(), c.summary()));
            Object stable = c.details().get("stable-latencies");
            if (stable != null) {
                s.append(String.format(Locale.ROOT, "  %-22s %s%n", "  stable-latencies ms", stable));
            }
        }
        s.append(String.format(Locale.ROOT, "  %-22s %d client operations%n", "operations", opCount));
        if (!options.faults().isEmpty()) {
            s.append(String.format(Locale.ROOT, "  %-22s %s%n", "faults", Faults.describe(faults())));
            s.append(String.format(Locale.ROOT, "  %-22s %s%n", "recovery", recovery().summary()));
        }
        s.append(String.format(Locale.ROOT, "  %-22s servers %.3f, all %.3f (msgs %s servers, %s all)%n", "msgs-per-op",
                serverMsgsPerOp(), allMsgsPerOp(), group("servers").get("msg-count"), group("all").get("msg-count")));
        latencies.forEach((f, q) -> s.append(String.format(Locale.ROOT, "  %-22s %s%n", "latency ms " + f, q)));
        Path report = runDir.resolve(REPORT_FILE);
        if (Files.exists(report)) {
            s.append(String.format(Locale.ROOT, "  %-22s %s%n", "report", report.toAbsolutePath().toUri()));
        }
        s.append(String.format(Locale.ROOT, "%s%n", isValid()
                ? (verdict == Verdict.VALID ? "Everything looks good!" : "No errors, but some results are unknown.")
                : "Analysis invalid!" + (setupError != null ? " (" + setupError + ")" : "")));
        return s.toString();
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("valid?", verdict == Verdict.UNKNOWN ? "unknown" : verdict == Verdict.VALID);
        m.put("workload", options.workload());
        m.put("node-count", options.nodeCount());
        m.put("concurrency", options.concurrency());
        m.put("rate", options.rate());
        m.put("time-limit", options.timeLimitSeconds());
        m.put("latency", options.latencyMillis());
        m.put("nemesis", options.faults());
        if (!options.faults().isEmpty()) {
            m.put("faults", faults());
            m.put("recovery", recovery().toJson());
        }
        m.put("seed", options.seed());
        m.put("node-args", options.command().subList(1, options.command().size()));
        if (setupError != null) {
            m.put("setup-error", setupError);
        }
        Map<String, Object> checkMap = new LinkedHashMap<>();
        for (CheckResult c : checks) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("valid?", c.verdict() == Verdict.UNKNOWN ? "unknown" : c.verdict() == Verdict.VALID);
            entry.put("summary", c.summary());
            entry.putAll(c.details());
            checkMap.put(c.name(), entry);
        }
        m.put("checks", checkMap);
        m.put("net", net);
        m.put("op-count", opCount);
        m.put("latencies", latencies);
        m.put("run-dir", runDir.toString());
        m.put("elapsed-seconds", elapsedSeconds);
        return m;
    }

    public void writeJson(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, Json.pretty(toJson()));
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
