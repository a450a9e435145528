package dev.glomers.cluster.check;

import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.History;
import dev.glomers.cluster.Op;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The workbench's counter checker (jepsen-io/maelstrom src/maelstrom/workload/pn_counter.clj, used by
 * g-counter too): the acceptable values are the sum of the ok adds plus the deltas of any subset of the
 * indeterminate (info) adds; every ok final read must be one of them. Intermediate reads are not
 * checked, as in the workbench. Failed adds count for nothing.
 */
public final class CounterChecker {

    /** A closed integer interval [low, high]. */
    record Interval(long low, long high) {
        @Override
        public String toString() {
            return "[" + low + ", " + high + "]";
        }
    }

    public CheckResult check(History history) {
        long definite = 0;
        List<Long> indeterminate = new ArrayList<>();
        List<Op> finalReads = new ArrayList<>();
        for (Op op : history.ops()) {
            if (!op.isClientOp() || op.isInvoke()) {
                continue;
            }
            if (op.f().equals("add")) {
                long delta = history.get(op.invocation()).value().asLong();
                switch (op.type()) {
                    case OK -> definite += delta;
                    case INFO -> indeterminate.add(delta);
                    default -> {
                    }
                }
            } else if (op.f().equals("read") && op.finalRead() && op.isOk()) {
                finalReads.add(op);
            }
        }
        List<Interval> acceptable = acceptable(definite, indeterminate);
        List<String> errors = new ArrayList<>();
        for (Op read : finalReads) {
            if (!read.value().isIntegralNumber() || !contains(acceptable, read.value().asLong())) {
                errors.add(read.node() + " read " + read.value());
            }
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("acceptable", acceptable.stream().map(Interval::toString).toList());
        details.put("final-reads", finalReads.stream().map(r -> r.node() + "=" + r.value()).toList());
        details.put("errors", errors);
        String summary = errors.isEmpty()
                ? finalReads.size() + " final reads, all in " + acceptable
                : errors.size() + " of " + finalReads.size() + " final reads outside " + acceptable + ": " + errors;
        return new CheckResult("counter", Verdict.of(errors.isEmpty()), summary, details);
    }

    /** Sum of the definite adds plus every subset sum of the indeterminate ones, as merged intervals. */
    static List<Interval> acceptable(long definite, List<Long> indeterminate) {
        List<Interval> set = new ArrayList<>(List.of(new Interval(definite, definite)));
        for (long delta : indeterminate) {
            List<Interval> shifted = new ArrayList<>(set);
            for (Interval i : set) {
                shifted.add(new Interval(i.low + delta, i.high + delta));
            }
            set = merge(shifted);
        }
        return set;
    }

    /** Sorts and merges intervals that overlap or touch (integers: [1,3] and [4,6] make [1,6]). */
    static List<Interval> merge(List<Interval> intervals) {
        List<Interval> sorted = new ArrayList<>(intervals);
        sorted.sort((a, b) -> Long.compare(a.low, b.low));
        List<Interval> merged = new ArrayList<>();
        for (Interval i : sorted) {
            Interval last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && i.low <= last.high + 1) {
                merged.set(merged.size() - 1, new Interval(last.low, Math.max(last.high, i.high)));
            } else {
                merged.add(i);
            }
        }
        return merged;
    }

    static boolean contains(List<Interval> intervals, long value) {
        return intervals.stream().anyMatch(i -> i.low <= value && value <= i.high);
    }
}
