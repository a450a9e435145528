package dev.glomers.cluster.check;

import dev.glomers.cluster.check.ListAppendChecker.Anomaly;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What a list-append analysis found: anomalies (counted, a few examples of each class) and why it could not judge. */
final class ListAppendFindings {

    /** Anomalies kept per class in a report; the count says how many there were. */
    private static final int EXAMPLES_PER_CLASS = 8;

    private final Map<String, List<Anomaly>> examples = new TreeMap<>();
    private final Map<String, Integer> counts = new TreeMap<>();
    private String unknownReason;

    /** Counts an anomaly; the first few of each class are kept as examples. */
    void report(Anomaly anomaly) {
        counts.merge(anomaly.type(), 1, Integer::sum);
        List<Anomaly> kept = examples.computeIfAbsent(anomaly.type(), t -> new ArrayList<>());
        if (kept.size() < EXAMPLES_PER_CLASS) {
            kept.add(anomaly);
        }
    }

    /** Marks the history as one that cannot be judged; the first reason given stands. */
    void cannotJudge(String reason) {
        if (unknownReason == null) {
            unknownReason = reason;
        }
    }

    Map<String, List<Anomaly>> examples() {
        return new TreeMap<>(examples);
    }

    Map<String, Integer> counts() {
        return new TreeMap<>(counts);
    }

    /** Why the history could not be judged, or null when it could. */
    String unknownReason() {
        return unknownReason;
    }
}
