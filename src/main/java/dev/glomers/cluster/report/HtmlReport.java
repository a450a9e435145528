package dev.glomers.cluster.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.ClusterResult;
import dev.glomers.cluster.Faults;
import dev.glomers.cluster.History;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.MessageJournal;
import dev.glomers.cluster.MessageStats;
import dev.glomers.cluster.Op;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * A run's report.html: one self-contained page (no network needed) with the text summary and the
 * pictures: latency of every client operation over time by f and outcome with partitions shaded,
 * operations and messages per second, the stable-latency distribution of set workloads, and a message
 * diagram of one window. The charting library (uPlot, from its WebJar on the classpath) and the page's
 * own script are inlined; the run's data is one JSON block the script reads.
 */
public final class HtmlReport {

    /** Bodies longer than this are cut in the diagram: the page must stay small. */
    static final int MAX_BODY_CHARS = 400;

    /** The WebJar's own record of its version, so that the pom is the one place that names it. */
    private static final String UPLOT_POM = "/META-INF/maven/org.webjars.npm/uplot/pom.properties";

    private HtmlReport() {
    }

    public static void write(ClusterResult result, MessageJournal journal, Path file) throws IOException {
        Files.writeString(file, render(result, journal), StandardCharsets.UTF_8);
    }

    static String render(ClusterResult result, MessageJournal journal) throws IOException {
        String template = resource(HtmlReport.class, "report.html");
        Properties uplotPom = new Properties();
        uplotPom.load(new StringReader(resource(HtmlReport.class, UPLOT_POM)));
        String uplot = "/META-INF/resources/webjars/uplot/" + uplotPom.getProperty("version") + "/dist/";
        String data = Json.write(Json.valueOf(data(result, journal)))
                // Inside <script>, "</" could end the element early.
                .replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
        return template
                .replace("/*UPLOT_CSS*/", resource(HtmlReport.class, uplot + "uPlot.min.css"))
                .replace("/*REPORT_CSS*/", resource(HtmlReport.class, "report.css"))
                .replace("/*UPLOT_JS*/", resource(HtmlReport.class, uplot + "uPlot.iife.min.js"))
                .replace("/*REPORT_JS*/", resource(HtmlReport.class, "report.js"))
                .replace("{{TITLE}}", escape(title(result)))
                .replace("/*DATA*/", data);
    }

    private static String title(ClusterResult result) {
        return result.options().workload() + " on " + result.options().nodeCount() + " node(s) - "
                + result.runDir().getFileName();
    }

    static Map<String, Object> data(ClusterResult result, MessageJournal journal) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("title", title(result));
        d.put("valid", result.verdict().label());
        d.put("summary", result.summary().strip());
        d.put("timeLimit", result.options().timeLimitSeconds());
        d.put("msgsPerOp", Map.of("servers", result.serverMsgsPerOp(), "all", result.allMsgsPerOp()));
        d.put("checks", checks(result));
        d.put("ops", ops(result.history().ops()));
        d.put("faults", faults(result.history().ops()));
        Map<String, Object> net = new LinkedHashMap<>();
        net.put("bucketSeconds", MessageJournal.BUCKET_NANOS / 1e9);
        net.putAll(journal.sendsPerBucket());
        d.put("net", net);
        d.put("stable", stableLatencies(result));
        d.put("diagram", diagram(journal));
        return d;
    }

    private static List<Map<String, String>> checks(ClusterResult result) {
        List<Map<String, String>> checks = new ArrayList<>();
        for (CheckResult c : result.checks()) {
            checks.add(Map.of("name", c.name(), "verdict", c.verdict().label(), "summary", c.summary()));
        }
        return checks;
    }

    /**
     * Client operations in invocation order, as columns: invocation time (s), latency (ms; null when
     * never completed), index into fs, outcome (ok, fail, info) and completion time (s).
     */
    private static Map<String, Object> ops(List<Op> history) {
        List<String> fs = new ArrayList<>(new TreeSet<>(history.stream().filter(Op::isClientOp).map(Op::f).toList()));
        Map<Integer, Op> completions = History.completionsByInvocation(history);
        List<Double> t = new ArrayList<>();
        List<Double> latency = new ArrayList<>();
        List<Integer> f = new ArrayList<>();
        List<String> type = new ArrayList<>();
        List<Double> done = new ArrayList<>();
        for (Op op : history) {
            if (!op.isClientOp() || !op.isInvoke()) {
                continue;
            }
            Op completion = completions.get(op.index());
            t.add(round(op.timeNanos() / 1e9, 4));
            f.add(fs.indexOf(op.f()));
            if (completion == null) {
                latency.add(null);
                type.add("none");
                done.add(null);
            } else {
                latency.add(round((completion.timeNanos() - op.timeNanos()) / 1e6, 2));
                type.add(completion.type().name().toLowerCase(Locale.ROOT));
                done.add(round(completion.timeNanos() / 1e9, 4));
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fs", fs);
        m.put("t", t);
        m.put("latency", latency);
        m.put("f", f);
        m.put("type", type);
        m.put("done", done);
        return m;
    }

    /** Each fault's shade: Jepsen's colours for its kill, pause and partition bands (jepsen.nemesis.combined). */
    private static final Map<String, String> FAULT_COLOURS = Map.of(Faults.PARTITION, "#E9DCA0", Faults.KILL,
            "#E9A4A0", Faults.PAUSE, "#A0B1E9");

    /** Per fault that happened: its kind, colour and periods in force, as the page shades them. */
    static List<Map<String, Object>> faults(List<Op> history) {
        List<Map<String, Object>> faults = new ArrayList<>();
        for (String kind : Faults.KINDS) {
            List<double[]> periods = periods(history, Faults.beginning(kind), Faults.end(kind));
            if (!periods.isEmpty()) {
                Map<String, Object> fault = new LinkedHashMap<>();
                fault.put("kind", kind);
                fault.put("colour", FAULT_COLOURS.get(kind));
                fault.put("periods", periods);
                faults.add(fault);
            }
        }
        return faults;
    }

    /** Periods between nemesis ops {@code begin} and {@code end} as [start, end] seconds; an open one ends with the history. */
    static List<double[]> periods(List<Op> history, String begin, String end) {
        List<double[]> periods = new ArrayList<>();
        Double start = null;
        long last = 0;
        for (Op op : history) {
            last = Math.max(last, op.timeNanos());
            if (op.isClientOp()) {
                continue;
            }
            if (op.f().equals(begin) && start == null) {
                start = op.timeNanos() / 1e9;
            } else if (op.f().equals(end) && start != null) {
                periods.add(new double[] {start, op.timeNanos() / 1e9});
                start = null;
            }
        }
        if (start != null) {
            periods.add(new double[] {start, last / 1e9});
        }
        return periods;
    }

    @SuppressWarnings("unchecked")
    private static List<Long> stableLatencies(ClusterResult result) {
        return result.checks().stream().filter(c -> c.details().containsKey("stable-latencies-sorted")).findFirst()
                .map(c -> (List<Long>) c.details().get("stable-latencies-sorted")).orElse(null);
    }

    /**
     * The diagram window: columns (clients together in one, then the nodes, then services) and one row
     * per message: [src column, dest column, src, dest, sent ms, received ms or null, dropped, type, body].
     */
    private static Map<String, Object> diagram(MessageJournal journal) {
        List<MessageJournal.Entry> entries = journal.diagram();
        TreeSet<String> nodes = new TreeSet<>((a, b) -> compareIds(a, b));
        TreeSet<String> services = new TreeSet<>();
        for (MessageJournal.Entry e : entries) {
            for (String id : List.of(e.src, e.dest)) {
                if (MessageStats.isClient(id)) {
                    continue;
                }
                (id.matches("n\\d+") ? nodes : services).add(id);
            }
        }
        List<String> columns = new ArrayList<>();
        columns.add("clients");
        columns.addAll(nodes);
        columns.addAll(services);
        List<List<Object>> messages = new ArrayList<>();
        for (MessageJournal.Entry e : entries) {
            List<Object> row = new ArrayList<>();
            row.add(columns.indexOf(MessageStats.isClient(e.src) ? "clients" : e.src));
            row.add(columns.indexOf(MessageStats.isClient(e.dest) ? "clients" : e.dest));
            row.add(e.src);
            row.add(e.dest);
            row.add(round(e.sentNanos / 1e6, 3));
            row.add(e.receivedNanos() < 0 ? null : round(e.receivedNanos() / 1e6, 3));
            row.add(e.dropped());
            JsonNode type = e.body == null ? null : e.body.get("type");
            row.add(type != null && type.isTextual() ? type.asText() : "?");
            String body = e.body == null ? "" : Json.write(e.body);
            row.add(body.length() > MAX_BODY_CHARS ? body.substring(0, MAX_BODY_CHARS) + " ..." : body);
            messages.add(row);
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("fromMs", journal.windowFromNanos() / 1e6);
        d.put("toMs", journal.windowToNanos() / 1e6);
        d.put("columns", columns);
        d.put("messages", messages);
        d.put("omitted", journal.omitted());
        return d;
    }

    /** n2 before n10. */
    private static int compareIds(String a, String b) {
        if (a.matches("n\\d+") && b.matches("n\\d+")) {
            return Integer.compare(Integer.parseInt(a.substring(1)), Integer.parseInt(b.substring(1)));
        }
        return a.compareTo(b);
    }

    private static Double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String resource(Class<?> anchor, String name) throws IOException {
        try (InputStream in = anchor.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing resource " + name + " (is the uPlot WebJar on the classpath?)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
