package dev.glomers.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How soon the cluster serves again once the faults end (docs/faults.md, "Recovery"). An all-clear is a
 * moment when the last fault in force ends: the network whole, no node dead, none paused. One is measured
 * when the next fault begins at least {@link #QUIET_NANOS} later, or never, and the client phase goes on
 * that long too. From it, per node, the delay until that node completes an operation invoked at or after
 * the all-clear with an answer (ok, or a definite fail other than "temporarily unavailable": a cas on the
 * wrong value was served), and the delay until the first ok anywhere; completions after the next fault
 * began do not count. All-clears after the client phase (the runner's own, before the final operations)
 * have no operations to time: the final operations, where the workload has them, show that recovery.
 */
public final class Recovery {

    /** The quiet time an all-clear needs to be measured: the promise is "serving again within 3 s". */
    public static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(3);

    /** Error codes that say the node is not serving (11 temporarily-unavailable), whatever their definiteness. */
    private static final Set<Integer> UNAVAILABLE_CODES = Set.of(11);
    private static final Pattern ERROR_CODE = Pattern.compile("^error (-?\\d+)");

    /**
     * One node after one all-clear, times since the all-clear; null when it did not happen in the window.
     *
     * @param invokedNanos the first operation invoked on the node at or after the all-clear
     * @param servedNanos the first such operation's answer, the node serving again
     */
    public record NodeServing(Long invokedNanos, Long servedNanos) {

        /**
         * From the node's first request after the all-clear to its first answer: the node's own part of the
         * delay. The rest is the client's: a worker waits out its timeout on an operation sent to a dead node
         * before it sends the next, so a restarted node may be asked late.
         */
        public Long askedToServedNanos() {
            return servedNanos == null ? null : servedNanos - invokedNanos;
        }
    }

    /**
     * One measured all-clear.
     *
     * @param atNanos when the last fault ended, since the client phase began
     * @param quietNanos until the next fault began, or until the client phase ended
     * @param nextFault whether a fault began after it (else the quiet lasted to the end of the client phase)
     * @param firstOkNanos the first ok of an operation invoked after the all-clear, null if none in the window
     */
    public record AllClear(long atNanos, long quietNanos, boolean nextFault, Map<String, NodeServing> nodes,
            Long firstOkNanos) {

        /** When the last node served again, null when some node did not serve within the quiet time. */
        public Long everyNodeServingNanos() {
            long worst = 0;
            for (NodeServing n : nodes.values()) {
                if (n.servedNanos() == null) {
                    return null;
                }
                worst = Math.max(worst, n.servedNanos());
            }
            return worst;
        }

        /** The longest {@link NodeServing#askedToServedNanos}, null when some node did not serve. */
        public Long everyNodeAskedToServedNanos() {
            return worst(nodes.values().stream().map(NodeServing::askedToServedNanos).toList());
        }

        /** Nodes asked after the all-clear that gave no answer within the quiet time: a miss. */
        List<String> notServing() {
            return nodes.entrySet().stream()
                    .filter(e -> e.getValue().invokedNanos() != null && e.getValue().servedNanos() == null)
                    .map(Map.Entry::getKey).toList();
        }

        /** Nodes no client asked within the quiet time: nothing can be told of them. */
        List<String> notAsked() {
            return nodes.entrySet().stream().filter(e -> e.getValue().invokedNanos() == null).map(Map.Entry::getKey)
                    .toList();
        }
    }

    /**
     * @param measured all-clears followed by at least the quiet time of client operations and no fault
     * @param tooShort all-clears in the client phase with less quiet after them (a fault came, or the end)
     * @param afterClientPhase all-clears once the clients had stopped (the runner's, before the final operations)
     * @param finalInvoked final operations invoked (final reads), and {@code finalServed} of them answered
     */
    public record Report(List<AllClear> measured, int tooShort, int afterClientPhase, long finalInvoked,
            long finalServed) {

        /** Measured all-clears after which every node served: the worst figures are over these. */
        public List<AllClear> complete() {
            return measured.stream().filter(a -> a.everyNodeServingNanos() != null).toList();
        }

        /** Measured all-clears after which some node was asked and did not answer within the quiet time. */
        public List<AllClear> notServing() {
            return measured.stream().filter(a -> !a.notServing().isEmpty()).toList();
        }

        /** Measured all-clears with no miss, but some node no client asked within the quiet time. */
        public List<AllClear> notAsked() {
            return measured.stream().filter(a -> a.notServing().isEmpty() && !a.notAsked().isEmpty()).toList();
        }

        public Long worstEveryNodeServingNanos() {
            return worst(complete().stream().map(AllClear::everyNodeServingNanos).toList());
        }

        public Long worstAskedToServedNanos() {
            return worst(complete().stream().map(AllClear::everyNodeAskedToServedNanos).toList());
        }

        public Long worstFirstOkNanos() {
            return worst(measured.stream().map(AllClear::firstOkNanos).toList());
        }

        /** "4 all-clears: every node serving within 0.41 s (worst; ...), first ok within 0.12 s (...)" */
        public String summary() {
            StringBuilder s = new StringBuilder();
            int count = measured.size();
            s.append(count).append(count == 1 ? " all-clear" : " all-clears").append(" with >= ")
                    .append(seconds(QUIET_NANOS, 0)).append(" s quiet");
            if (count > 0) {
                List<String> parts = new ArrayList<>();
                List<AllClear> complete = complete();
                if (!complete.isEmpty()) {
                    parts.add("every node serving within " + seconds(worstEveryNodeServingNanos(), 2) + " s (worst; "
                            + seconds(worstAskedToServedNanos(), 2) + " s after its first request)"
                            + (complete.size() < count ? " in " + complete.size() + " of " + count : ""));
                }
                List<AllClear> notAsked = notAsked();
                if (!notAsked.isEmpty()) {
                    AllClear first = notAsked.get(0);
                    parts.add(notAsked.size() + " with a node never asked (e.g. " + String.join(", ", first.notAsked())
                            + " after the all-clear at " + seconds(first.atNanos(), 2) + " s)");
                }
                List<AllClear> missed = notServing();
                if (!missed.isEmpty()) {
                    AllClear first = missed.get(0);
                    parts.add(missed.size() + " with a node not serving (e.g. " + String.join(", ", first.notServing())
                            + " not within " + seconds(first.quietNanos(), 2) + " s of the all-clear at "
                            + seconds(first.atNanos(), 2) + " s)");
                }
                parts.add(measured.stream().anyMatch(a -> a.firstOkNanos() == null) ? "no ok after some"
                        : "first ok within " + seconds(worstFirstOkNanos(), 2) + " s");
                s.append(": ").append(String.join(", ", parts));
            }
            s.append(" (").append(tooShort).append(" shorter, ").append(afterClientPhase)
                    .append(" after the client phase; ");
            s.append(finalInvoked == 0 ? "no final operations"
                    : "final operations: " + finalServed + " of " + finalInvoked + " answered");
            return s.append(')').toString();
        }

        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("quiet-required-s", QUIET_NANOS / 1e9);
            m.put("measured", measured.size());
            m.put("too-short", tooShort);
            m.put("after-client-phase", afterClientPhase);
            m.put("not-serving", notServing().size());
            m.put("not-asked", notAsked().size());
            putSeconds(m, "worst-every-node-serving-s", worstEveryNodeServingNanos());
            putSeconds(m, "worst-asked-to-served-s", worstAskedToServedNanos());
            putSeconds(m, "worst-first-ok-s", worstFirstOkNanos());
            m.put("final-invoked", finalInvoked);
            m.put("final-served", finalServed);
            List<Map<String, Object>> list = new ArrayList<>();
            for (AllClear a : measured) {
                Map<String, Object> entry = new LinkedHashMap<>();
                putSeconds(entry, "at-s", a.atNanos());
                putSeconds(entry, "quiet-s", a.quietNanos());
                entry.put("next-fault", a.nextFault());
                putSeconds(entry, "every-node-serving-s", a.everyNodeServingNanos());
                putSeconds(entry, "asked-to-served-s", a.everyNodeAskedToServedNanos());
                putSeconds(entry, "first-ok-s", a.firstOkNanos());
                Map<String, Object> nodes = new LinkedHashMap<>();
                a.nodes().forEach((node, n) -> {
                    Map<String, Object> times = new LinkedHashMap<>();
                    putSeconds(times, "invoked-s", n.invokedNanos());
                    putSeconds(times, "served-s", n.servedNanos());
                    nodes.put(node, times);
                });
                entry.put("nodes", nodes);
                list.add(entry);
            }
            m.put("all-clears", list);
            return m;
        }
    }

    private Recovery() {
    }

    /**
     * Measures every all-clear of {@code ops}, a run's history; {@code clientPhaseEndNanos} is when the clients
     * stopped invoking (the time limit), {@code nodeIds} the nodes that must serve again.
     */
    public static Report measure(List<Op> ops, List<String> nodeIds, long clientPhaseEndNanos) {
        List<long[]> windows = quietWindows(ops);
        List<AllClear> measured = new ArrayList<>();
        int tooShort = 0;
        int after = 0;
        for (long[] window : windows) {
            long at = window[0];
            long nextFault = window[1];
            if (at >= clientPhaseEndNanos) {
                after++;
                continue;
            }
            long quiet = Math.min(nextFault, clientPhaseEndNanos) - at;
            if (quiet < QUIET_NANOS) {
                tooShort++;
                continue;
            }
            measured.add(measure(ops, nodeIds, at, nextFault, quiet));
        }
        long finalInvoked = ops.stream().filter(op -> op.isClientOp() && op.isInvoke() && op.finalRead()).count();
        long finalServed = ops.stream().filter(op -> op.isClientOp() && !op.isInvoke() && op.finalRead() && served(op))
                .count();
        return new Report(List.copyOf(measured), tooShort, after, finalInvoked, finalServed);
    }

    private static AllClear measure(List<Op> ops, List<String> nodeIds, long at, long nextFault, long quiet) {
        Map<String, Long> invoked = new LinkedHashMap<>();
        Map<String, Long> served = new LinkedHashMap<>();
        Long firstOk = null;
        for (Op op : ops) {
            if (!op.isClientOp() || op.finalRead()) {
                continue;
            }
            if (op.isInvoke()) {
                if (op.timeNanos() >= at && op.timeNanos() < nextFault) {
                    invoked.merge(op.node(), op.timeNanos() - at, Math::min);
                }
                continue;
            }
            Op invocation = ops.get(op.invocation());
            if (invocation.timeNanos() < at || op.timeNanos() > nextFault) {
                continue;
            }
            long delay = op.timeNanos() - at;
            if (served(op)) {
                served.merge(op.node(), delay, Math::min);
            }
            if (op.isOk() && (firstOk == null || delay < firstOk)) {
                firstOk = delay;
            }
        }
        Map<String, NodeServing> nodes = new LinkedHashMap<>();
        for (String node : nodeIds) {
            nodes.put(node, new NodeServing(invoked.get(node), served.get(node)));
        }
        return new AllClear(at, quiet, nextFault != Long.MAX_VALUE, nodes, firstOk);
    }

    /** An answer from a serving node: ok, or a definite fail that is not "unavailable". */
    static boolean served(Op completion) {
        if (completion.isOk()) {
            return true;
        }
        if (completion.type() != Op.Type.FAIL) {
            return false;
        }
        Matcher m = ERROR_CODE.matcher(completion.error() == null ? "" : completion.error());
        return !m.find() || !UNAVAILABLE_CODES.contains(Integer.parseInt(m.group(1)));
    }

    /**
     * [all-clear, next fault's beginning or Long.MAX_VALUE] for every moment the last fault in force ended,
     * from the nemesis operations: a node is down from the kill or pause naming it until the start or resume
     * that brought it back (a failed restart leaves it down; a kill ends a pause), the network from start- to
     * stop-partition.
     */
    static List<long[]> quietWindows(List<Op> ops) {
        Set<String> dead = new TreeSet<>();
        Set<String> paused = new TreeSet<>();
        boolean partitioned = false;
        boolean inForce = false;
        List<long[]> windows = new ArrayList<>();
        for (Op op : ops) {
            if (op.isClientOp()) {
                continue;
            }
            JsonNode value = op.value();
            switch (op.f()) {
                case "start-partition" -> partitioned = true;
                case "stop-partition" -> partitioned = false;
                case "kill" -> value.path("nodes").fieldNames().forEachRemaining(node -> {
                    // a paused node that is killed is dead, not paused: its restart is a new process, and no
                    // resume will name it
                    dead.add(node);
                    paused.remove(node);
                });
                case "start" -> value.fields().forEachRemaining(e -> {
                    if (e.getValue().asText().equals("started") || e.getValue().asText().equals("already running")) {
                        dead.remove(e.getKey());
                    }
                });
                case "pause" -> value.path("nodes").fields().forEachRemaining(e -> {
                    if (e.getValue().asText().startsWith("paused") || e.getValue().asText().equals("already paused")) {
                        paused.add(e.getKey());
                    }
                });
                case "resume" -> value.fields().forEachRemaining(e -> {
                    if (e.getValue().asText().equals("resumed") || e.getValue().asText().equals("not paused")) {
                        paused.remove(e.getKey());
                    }
                });
                default -> {
                    continue;
                }
            }
            boolean now = partitioned || !dead.isEmpty() || !paused.isEmpty();
            if (inForce && !now) {
                windows.add(new long[] {op.timeNanos(), Long.MAX_VALUE});
            } else if (!inForce && now && !windows.isEmpty()) {
                long[] last = windows.get(windows.size() - 1);
                if (last[1] == Long.MAX_VALUE) {
                    last[1] = op.timeNanos();
                }
            }
            inForce = now;
        }
        return windows;
    }

    /** The largest delay, or null when there is none or one of them never came. */
    private static Long worst(List<Long> delays) {
        if (delays.isEmpty() || delays.contains(null)) {
            return null;
        }
        return delays.stream().max(Long::compare).orElseThrow();
    }

    private static void putSeconds(Map<String, Object> m, String key, Long nanos) {
        if (nanos != null) {
            m.put(key, Math.round(nanos / 1e6) / 1e3);
        }
    }

    private static String seconds(Long nanos, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", nanos / 1e9);
    }
}
