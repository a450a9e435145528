package dev.glomers.cluster.check;

import dev.glomers.cluster.check.ListAppendChecker.Anomaly;
import dev.glomers.cluster.check.ListAppendHistory.MicroOps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The anomalies found without the dependency graph. Within one transaction: internal (a read disagrees
 * with the transaction's own earlier reads and appends), future-read, and lost-update across transactions
 * that read the same state and then appended. Against the writers: G1a (a read sees an element of a
 * failed transaction), G1b (a read ends at an element its writer appended to the key again later) and
 * garbage-read (an element nobody appended).
 */
final class ListAppendReadAnomalies {

    private final ListAppendHistory history;
    private final ListAppendVersions versions;
    private final ListAppendFindings findings;

    private ListAppendReadAnomalies(ListAppendHistory history, ListAppendVersions versions,
            ListAppendFindings findings) {
        this.history = history;
        this.versions = versions;
        this.findings = findings;
    }

    /** Reports to {@code findings} every anomaly of these classes in {@code history}. */
    static void check(ListAppendHistory history, ListAppendVersions versions, ListAppendFindings findings) {
        ListAppendReadAnomalies reads = new ListAppendReadAnomalies(history, versions, findings);
        reads.checkWithinTransactions();
        reads.checkReadsAgainstWriters();
    }

    private void checkWithinTransactions() {
        Map<String, List<Integer>> sameReadThenAppend = new LinkedHashMap<>();
        for (int t = 0; t < history.size(); t++) {
            if (!history.ok(t)) {
                continue;
            }
            MicroOps p = history.ops(t);
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
                        findings.report(new Anomaly("future-read", "read element " + history.elementName(e)
                                + " of key " + history.keyName(k) + " before appending it itself",
                                List.of(history.describe(t))));
                    }
                    if (appendedKeys.add(k) && firstRead.containsKey(k)) {
                        sameReadThenAppend.computeIfAbsent(history.keyName(k) + " as "
                                + history.elements(firstRead.get(k)), x -> new ArrayList<>()).add(t);
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
                    findings.report(new Anomaly("internal", "read key " + history.keyName(k) + " as "
                            + history.elements(read) + " but its own earlier operations say "
                            + (unknownPrefix.contains(k) ? "[..., " : "[") + history.joined(state) + "]",
                            List.of(history.describe(t))));
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
                findings.report(new Anomaly("lost-update", group.size() + " committed transactions read key "
                        + keyAndState + " and then each appended to it, none seeing another's append",
                        group.stream().map(history::describe).toList()));
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
        history.forEachOkRead((t, i, k, read) -> {
            for (int e : read) {
                Integer failed = versions.failedWriter(k, e);
                if (failed != null) {
                    findings.report(new Anomaly("G1a", "read key " + history.keyName(k) + " as "
                            + history.elements(read) + ", including element " + history.elementName(e)
                            + " of a transaction that failed", List.of(history.describe(t), history.describe(failed))));
                } else if (versions.writer(k, e) == null) {
                    findings.report(new Anomaly("garbage-read", "read key " + history.keyName(k) + " as "
                            + history.elements(read) + ", including element " + history.elementName(e)
                            + " that no transaction appended", List.of(history.describe(t))));
                }
            }
            if (read.length > 0) {
                int last = read[read.length - 1];
                Integer intermediate = versions.intermediateWriter(k, last);
                if (intermediate != null && intermediate != t) {
                    findings.report(new Anomaly("G1b", "read key " + history.keyName(k) + " as "
                            + history.elements(read) + ", a state in the middle of another transaction, which"
                            + " appended to the key again after " + history.elementName(last),
                            List.of(history.describe(t), history.describe(intermediate))));
                }
            }
        });
    }
}
