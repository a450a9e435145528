package dev.glomers.cluster.check;

import dev.glomers.cluster.check.ListAppendChecker.Anomaly;
import dev.glomers.cluster.check.ListAppendHistory.MicroOps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who appended and who read what, and each key's version order. Appends only ever extend a list, so the
 * longest ok read of a key gives its order; every other read must be a prefix of it (otherwise
 * {@code incompatible-order}), and no read may hold an element twice ({@code duplicate-elements}): both
 * are reported while the orders are built. Appends no read shows come after the longest read.
 */
final class ListAppendVersions {

    /** The "element" of a key's initial, empty state. */
    static final int INIT = -1;

    private final ListAppendHistory history;
    private final ListAppendFindings findings;

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

    private ListAppendVersions(ListAppendHistory history, ListAppendFindings findings) {
        this.history = history;
        this.findings = findings;
    }

    /** Indexes {@code history}, reporting to {@code findings} what contradicts a single order per key. */
    static ListAppendVersions of(ListAppendHistory history, ListAppendFindings findings) {
        ListAppendVersions versions = new ListAppendVersions(history, findings);
        versions.indexAppends();
        versions.indexReads();
        return versions;
    }

    /** The ok or indeterminate transaction that appended {@code element} to {@code key}, or null. */
    Integer writer(int key, int element) {
        return writer.get(pair(key, element));
    }

    /** The failed transaction that appended {@code element} to {@code key}, or null. */
    Integer failedWriter(int key, int element) {
        return failedWriter.get(pair(key, element));
    }

    /** A transaction that appended {@code element} to {@code key} and then appended to the key again, or null. */
    Integer intermediateWriter(int key, int element) {
        return intermediateWriter.get(pair(key, element));
    }

    /** The ok transactions that read {@code key} as a list ending at {@code lastElement} (INIT: empty). */
    List<Integer> readers(int key, int lastElement) {
        return readers.getOrDefault(pair(key, lastElement), List.of());
    }

    /** The element appended to {@code key} just before {@code element}, or INIT. */
    int previousElement(int key, int element) {
        int[] order = versionOrder.getOrDefault(key, new int[0]);
        Integer index = versionIndex.get(pair(key, element));
        if (index == null) {
            // Never read: it came after everything that was.
            return order.length == 0 ? INIT : order[order.length - 1];
        }
        return index == 0 ? INIT : order[index - 1];
    }

    private static long pair(int key, int element) {
        return ((long) key << 32) | (element & 0xffffffffL);
    }

    private void indexAppends() {
        Set<Long> appended = new HashSet<>();
        for (int t = 0; t < history.size(); t++) {
            MicroOps p = history.ops(t);
            Map<Integer, Integer> lastAppend = new HashMap<>();
            for (int i = 0; i < p.size(); i++) {
                if (!p.append()[i]) {
                    continue;
                }
                long kv = pair(p.key()[i], p.element()[i]);
                if (!appended.add(kv)) {
                    findings.cannotJudge("element " + history.elementName(p.element()[i]) + " appended to key "
                            + history.keyName(p.key()[i]) + " more than once: the analysis needs unique appends");
                }
                (history.possible(t) ? writer : failedWriter).put(kv, t);
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
        history.forEachOkRead((t, i, k, read) -> {
            readers.computeIfAbsent(pair(k, read.length == 0 ? INIT : read[read.length - 1]),
                    x -> new ArrayList<>()).add(t);
            if (read.length > 0 && (!longest.containsKey(k) || read.length > longest.get(k).length)) {
                longest.put(k, read);
                longestReader.put(k, t);
            }
            reportDuplicates(t, k, read);
        });
        // Every read must be a prefix of the longest one of its key.
        Set<Integer> incompatibleKeys = new HashSet<>();
        history.forEachOkRead((t, i, k, read) -> {
            if (read.length == 0 || incompatibleKeys.contains(k)) {
                return;
            }
            int[] order = longest.get(k);
            if (!isPrefix(read, order)) {
                incompatibleKeys.add(k);
                findings.report(new Anomaly("incompatible-order", "reads of key " + history.keyName(k) + " saw "
                        + history.elements(read) + " and " + history.elements(order)
                        + ": neither is a prefix of the other, so no single order of appends explains both",
                        List.of(history.describe(t), history.describe(longestReader.get(k)))));
            }
        });
        for (Map.Entry<Integer, int[]> entry : longest.entrySet()) {
            int[] order = Arrays.stream(entry.getValue()).distinct().toArray();
            versionOrder.put(entry.getKey(), order);
        }
        // A key with a single append and no read of it still has a known order: [], [e].
        Map<Integer, Integer> appendsPerKey = new HashMap<>();
        Map<Integer, Integer> onlyElement = new HashMap<>();
        for (int t = 0; t < history.size(); t++) {
            if (!history.possible(t)) {
                continue;
            }
            MicroOps p = history.ops(t);
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

    private void reportDuplicates(int t, int key, int[] read) {
        Set<Integer> seen = new HashSet<>();
        Set<Integer> duplicated = new LinkedHashSet<>();
        for (int e : read) {
            if (!seen.add(e)) {
                duplicated.add(e);
            }
        }
        if (!duplicated.isEmpty()) {
            findings.report(new Anomaly("duplicate-elements", "a read of key " + history.keyName(key) + " saw "
                    + history.elements(duplicated.stream().mapToInt(Integer::intValue).toArray())
                    + " more than once, though each element is appended once", List.of(history.describe(t))));
        }
    }
}
