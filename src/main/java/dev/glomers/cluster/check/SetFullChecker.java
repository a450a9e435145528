package dev.glomers.cluster.check;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.History;
import dev.glomers.cluster.Op;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Jepsen's {@code set-full} checker (jepsen.checker/set-full, used by the workbench for broadcast and
 * g-set): for every added element, follow the ok reads. An element is known once its add is ok or a read
 * shows it, whichever completes first. It is stable if the last read (by invocation) that missed it was
 * invoked before the last read that showed it; lost if it is known and a read invoked after it became
 * known, and after the last read showing it, missed it; otherwise never-read. Stable latency = time from
 * known to just after the invocation of the last read that missed it (0 if none), in whole ms.
 * Valid: no lost element; unknown when nothing is stable. Reads of values never added are our addition
 * ("unexpected", invalid): the workbench's set-full ignores them.
 */
public final class SetFullChecker {

    private final String addF;

    /** @param addF the operation that adds one element: "broadcast" or "add" */
    public SetFullChecker(String addF) {
        this.addF = addF;
    }

    private static final class Element {
        final JsonNode value;
        Op known;
        Op lastPresent;
        Op lastAbsent;

        Element(JsonNode value) {
            this.value = value;
        }
    }

    public List<CheckResult> check(History history) {
        Map<JsonNode, Element> elements = new LinkedHashMap<>();
        Set<JsonNode> unexpected = new HashSet<>();
        for (Op op : history.ops()) {
            if (!op.isClientOp()) {
                continue;
            }
            if (op.f().equals(addF)) {
                if (op.isInvoke()) {
                    elements.put(op.value(), new Element(op.value()));
                } else if (op.isOk()) {
                    Element e = elements.get(op.value());
                    if (e != null && e.known == null) {
                        e.known = op;
                    }
                }
            } else if (op.f().equals("read") && op.isOk()) {
                Op invocation = history.get(op.invocation());
                Set<JsonNode> seen = new HashSet<>();
                op.value().forEach(seen::add);
                for (JsonNode v : seen) {
                    if (!elements.containsKey(v)) {
                        unexpected.add(v);
                    }
                }
                for (Element e : elements.values()) {
                    if (seen.contains(e.value)) {
                        if (e.known == null) {
                            e.known = op;
                        }
                        if (e.lastPresent == null || e.lastPresent.index() < invocation.index()) {
                            e.lastPresent = invocation;
                        }
                    } else if (e.lastAbsent == null || e.lastAbsent.index() < invocation.index()) {
                        e.lastAbsent = invocation;
                    }
                }
            }
        }
        return results(elements, unexpected);
    }

    private List<CheckResult> results(Map<JsonNode, Element> elements, Set<JsonNode> unexpected) {
        List<JsonNode> lost = new ArrayList<>();
        List<JsonNode> neverRead = new ArrayList<>();
        List<JsonNode> stale = new ArrayList<>();
        List<Long> stableLatencies = new ArrayList<>();
        List<Long> lostLatencies = new ArrayList<>();
        int stableCount = 0;
        for (Element e : elements.values()) {
            int lastAbsent = e.lastAbsent == null ? -1 : e.lastAbsent.index();
            int lastPresent = e.lastPresent == null ? -1 : e.lastPresent.index();
            boolean stable = e.lastPresent != null && lastAbsent < lastPresent;
            boolean isLost = e.known != null && e.lastAbsent != null && lastPresent < lastAbsent
                    && e.known.index() < lastAbsent;
            if (stable) {
                stableCount++;
                long stableTime = e.lastAbsent == null ? 0 : e.lastAbsent.timeNanos() + 1;
                long latency = millis(Math.max(0, stableTime - e.known.timeNanos()));
                stableLatencies.add(latency);
                if (latency > 0) {
                    stale.add(e.value);
                }
            } else if (isLost) {
                lost.add(e.value);
                long lostTime = e.lastPresent == null ? 0 : e.lastPresent.timeNanos() + 1;
                lostLatencies.add(millis(Math.max(0, lostTime - e.known.timeNanos())));
            } else {
                neverRead.add(e.value);
            }
        }
        Verdict verdict = !lost.isEmpty() ? Verdict.INVALID : stableCount == 0 ? Verdict.UNKNOWN : Verdict.VALID;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("attempt-count", elements.size());
        details.put("stable-count", stableCount);
        details.put("lost-count", lost.size());
        details.put("lost", abbreviated(lost));
        details.put("never-read-count", neverRead.size());
        details.put("never-read", abbreviated(neverRead));
        details.put("stale-count", stale.size());
        if (!stableLatencies.isEmpty()) {
            details.put("stable-latencies", Quantiles.of(stableLatencies));
            // Every sample, for the report's distribution plot.
            stableLatencies.sort(null);
            details.put("stable-latencies-sorted", stableLatencies);
        }
        if (!lostLatencies.isEmpty()) {
            details.put("lost-latencies", Quantiles.of(lostLatencies));
        }
        String summary = String.format("%d added, %d stable, %d lost, %d never read, %d stale",
                elements.size(), stableCount, lost.size(), neverRead.size(), stale.size());
        CheckResult set = new CheckResult("set-full", verdict, summary, details);
        CheckResult noPhantoms = new CheckResult("no-unexpected-values", Verdict.of(unexpected.isEmpty()),
                unexpected.isEmpty() ? "every value read was added"
                        : unexpected.size() + " values read that no client ever added",
                Map.of("unexpected-count", unexpected.size(), "unexpected", abbreviated(new ArrayList<>(unexpected))));
        return List.of(set, noPhantoms);
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    static List<String> abbreviated(List<JsonNode> values) {
        List<String> out = new ArrayList<>();
        for (JsonNode v : values) {
            if (out.size() == 50) {
                out.add("... " + (values.size() - 50) + " more");
                break;
            }
            out.add(v.toString());
        }
        return out;
    }
}
