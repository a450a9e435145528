package dev.glomers.cluster.check;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.History;
import dev.glomers.cluster.Op;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Linearizability of a compare-and-set register, one independent history per key, as the workbench
 * checks lin-kv (Knossos's cas-register model under Jepsen's independent checker).
 *
 * <p>The search is Wing and Gong's, with Lowe's just-in-time linearization and memoisation, the way
 * Knossos's {@code wgl} and Porcupine do it: walk the calls and returns in real-time order; at a call,
 * try to make that operation take effect now (the model must allow it, and the pair of linearized set
 * and register value must be new); at the return of an operation that has not taken effect yet, undo
 * the last choice and try the next call instead. The history is linearizable when every ok operation
 * has taken effect.
 *
 * <p>Operations as Knossos treats them: a failed one (a definite error) never happened and is dropped;
 * an indeterminate one (info: timeout, error 0 or 13, malformed reply) may take effect at any point
 * after its invocation or never, so it has a call and no return; an indeterminate read constrains
 * nothing and is dropped. The register starts empty (the key does not exist): a read of an empty
 * register only ever fails (error 20, dropped), and a cas on it cannot succeed.
 *
 * <p>The search is exponential in the worst case; each key gets a {@link Budget} and ends as
 * {@code unknown}, naming the operations it could not order, when the budget runs out.
 *
 * <p>Expected history shapes (lin-kv's): {@code f} read / write / cas; invocation values {@code {key}},
 * {@code {key, value}}, {@code {key, from, to}}; an ok read's completion value {@code {key, value}}.
 */
public final class CasRegisterLinearizability {

    /** The name of the check in results. */
    public static final String NAME = "linearizability";

    /** How far one key's search may go: configurations memoised, and wall-clock time. */
    public record Budget(long maxConfigurations, Duration maxTime) {
        public static final Budget DEFAULT = new Budget(2_000_000, Duration.ofSeconds(10));
    }

    /**
     * What an operation did. The runner's histories give only READ, WRITE and CAS (a definite error is
     * dropped, as Knossos drops it); {@link #checkKey} callers with exact answers may also state what a
     * refusal revealed: a READ of a null value found the key missing (error 20, also a cas's), and
     * CAS_REFUSED (error 22) found the register holding a value other than {@code from}.
     */
    public enum Kind {
        READ, WRITE, CAS, CAS_REFUSED
    }

    /**
     * One operation of one key's history.
     *
     * @param index the invocation's index in the run's history (identifies the op in reports)
     * @param value for a read the value returned (null: the key was missing), for a write the value written
     * @param call position of the invocation in real-time order
     * @param ret position of the completion; {@link Long#MAX_VALUE} for an indeterminate op
     */
    public record RegisterOp(int index, int process, Kind kind, JsonNode value, JsonNode from, JsonNode to, long call,
            long ret) {

        public boolean indeterminate() {
            return ret == Long.MAX_VALUE;
        }

        @Override
        public String toString() {
            String what = switch (kind) {
                case READ -> value == null ? "read (missing)" : "read " + value;
                case WRITE -> "write " + value;
                case CAS -> "cas " + from + "->" + to;
                case CAS_REFUSED -> "cas " + from + "->" + to + " refused";
            };
            return "#" + index + " p" + process + " " + what + (indeterminate() ? " (info)" : "");
        }
    }

    /** The outcome for one key. */
    public record KeyResult(Verdict verdict, String explanation, long configurations, long millis) {
    }

    private final Budget budget;

    public CasRegisterLinearizability() {
        this(Budget.DEFAULT);
    }

    public CasRegisterLinearizability(Budget budget) {
        this.budget = budget;
    }

    /** Checks every key of a lin-kv history; valid when all are linearizable, unknown when some ran out of budget. */
    public CheckResult check(History history) {
        Map<String, List<RegisterOp>> byKey = new LinkedHashMap<>();
        Map<String, int[]> counts = new LinkedHashMap<>(); // ok, info, fail per key
        List<Op> ops = history.ops();
        Map<Integer, Op> completions = History.completionsByInvocation(ops);
        for (Op invoke : ops) {
            if (!invoke.isClientOp() || !invoke.isInvoke()) {
                continue;
            }
            String key = String.valueOf(invoke.value().path("key"));
            Op done = completions.get(invoke.index());
            Op.Type outcome = done == null ? Op.Type.INFO : done.type();
            int[] c = counts.computeIfAbsent(key, k -> new int[3]);
            c[outcome == Op.Type.OK ? 0 : outcome == Op.Type.INFO ? 1 : 2]++;
            RegisterOp registerOp = registerOp(invoke, done);
            if (registerOp != null) {
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(registerOp);
            }
        }
        Map<String, Object> perKey = new LinkedHashMap<>();
        Map<String, String> anomalies = new LinkedHashMap<>();
        List<String> invalid = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        Verdict verdict = Verdict.VALID;
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            String key = e.getKey();
            KeyResult r = checkKey(byKey.getOrDefault(key, List.of()));
            verdict = verdict.and(r.verdict());
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("valid?", r.verdict().label());
            figures.put("ok", e.getValue()[0]);
            figures.put("info", e.getValue()[1]);
            figures.put("fail", e.getValue()[2]);
            figures.put("configurations", r.configurations());
            figures.put("ms", r.millis());
            perKey.put(key, figures);
            if (r.verdict() != Verdict.VALID) {
                anomalies.put(key, r.explanation());
                (r.verdict() == Verdict.INVALID ? invalid : unknown).add(key);
            }
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("key-count", counts.size());
        details.put("failures", invalid);
        details.put("unknown", unknown);
        details.put("anomalies", anomalies);
        details.put("keys", perKey);
        String summary;
        if (!invalid.isEmpty()) {
            String first = invalid.get(0);
            summary = invalid.size() + " of " + counts.size() + " keys not linearizable " + invalid + "; key " + first
                    + ": " + anomalies.get(first);
        } else if (!unknown.isEmpty()) {
            String first = unknown.get(0);
            summary = unknown.size() + " of " + counts.size() + " keys unknown " + unknown + "; key " + first + ": "
                    + anomalies.get(first);
        } else {
            summary = counts.size() + " keys, every one linearizable";
        }
        return new CheckResult(NAME, verdict, summary, details);
    }

    /** The register op for an invocation and its completion, or null when it constrains nothing. */
    private static RegisterOp registerOp(Op invoke, Op done) {
        if (done != null && done.type() == Op.Type.FAIL) {
            return null; // definitely did not happen
        }
        boolean ok = done != null && done.isOk();
        long ret = ok ? done.index() : Long.MAX_VALUE;
        JsonNode v = invoke.value();
        return switch (invoke.f()) {
            case "read" -> ok ? new RegisterOp(invoke.index(), invoke.process(), Kind.READ, done.value().path("value"),
                    null, null, invoke.index(), ret) : null;
            case "write" -> new RegisterOp(invoke.index(), invoke.process(), Kind.WRITE, v.path("value"), null, null,
                    invoke.index(), ret);
            case "cas" -> new RegisterOp(invoke.index(), invoke.process(), Kind.CAS, null, v.path("from"), v.path("to"),
                    invoke.index(), ret);
            default -> throw new IllegalArgumentException("not a register operation: " + invoke);
        };
    }

    /** Checks one key's operations (in any order; they are sorted by call). */
    public KeyResult checkKey(List<RegisterOp> ops) {
        long began = System.nanoTime();
        Search search = new Search(ops, budget);
        Search.Outcome outcome = search.run();
        long millis = (System.nanoTime() - began) / 1_000_000;
        return switch (outcome) {
            case LINEARIZABLE -> new KeyResult(Verdict.VALID, "linearizable", search.configurations(), millis);
            case NOT_LINEARIZABLE -> new KeyResult(Verdict.INVALID, search.explainFailure(), search.configurations(),
                    millis);
            case GAVE_UP -> new KeyResult(Verdict.UNKNOWN, search.explainGiveUp(), search.configurations(), millis);
        };
    }

    /** The just-in-time search over one key. */
    private static final class Search {

        enum Outcome {
            LINEARIZABLE, NOT_LINEARIZABLE, GAVE_UP
        }

        private static final int EMPTY = -1;
        private static final int IMPOSSIBLE = -2;
        private static final int MAX_LISTED = 12;

        /** A call or a return in the doubly linked list of events; linearized ops are unlinked (Lowe's lift). */
        private static final class Event {
            final int op;
            final boolean call;
            Event partner; // the call's return; null for an indeterminate op
            Event prev;
            Event next;

            Event(int op, boolean call) {
                this.op = op;
                this.call = call;
            }
        }

        private record Choice(Event call, int stateBefore) {
        }

        private final List<RegisterOp> ops;
        private final Budget budget;
        // Per op (ids: ok ops first, in call order, then indeterminate ones, as Knossos numbers them, so that
        // the linearized set is mostly a run of ones from 0 and its memo key stays short).
        private final Kind[] kind;
        private final int[] arg; // read / write value, or cas from
        private final int[] to;
        private final long[] zobrist;
        private final Event head = new Event(-1, false);
        private final LinearizedSet linearized;
        private final Set<Configuration> seen = new HashSet<>();
        private final int okCount;
        // Where the search got furthest: the return it could not pass, and the register values it had there.
        private Event stuckAt;
        private final Set<Integer> statesAtStuck = new TreeSet<>();
        private final List<JsonNode> values = new ArrayList<>();

        Search(List<RegisterOp> unordered, Budget budget) {
            this.budget = budget;
            List<RegisterOp> sorted = new ArrayList<>(unordered);
            sorted.sort(Comparator.comparing(RegisterOp::indeterminate).thenComparingLong(RegisterOp::call));
            this.ops = sorted;
            int n = sorted.size();
            kind = new Kind[n];
            arg = new int[n];
            to = new int[n];
            zobrist = new long[n];
            Map<JsonNode, Integer> ids = new HashMap<>();
            Random random = new Random(n);
            int ok = 0;
            List<Event> events = new ArrayList<>(2 * n);
            for (int i = 0; i < n; i++) {
                RegisterOp op = sorted.get(i);
                kind[i] = op.kind();
                boolean cas = op.kind() == Kind.CAS || op.kind() == Kind.CAS_REFUSED;
                arg[i] = cas ? intern(ids, op.from()) : op.value() == null ? EMPTY : intern(ids, op.value());
                to[i] = op.kind() == Kind.CAS ? intern(ids, op.to()) : arg[i];
                zobrist[i] = random.nextLong();
                Event call = new Event(i, true);
                events.add(call);
                if (!op.indeterminate()) {
                    ok++;
                    call.partner = new Event(i, false);
                    events.add(call.partner);
                }
            }
            okCount = ok;
            events.sort(Comparator.comparingLong(e -> e.call ? ops.get(e.op).call() : ops.get(e.op).ret()));
            Event last = head;
            for (Event e : events) {
                last.next = e;
                e.prev = last;
                last = e;
            }
            linearized = new LinearizedSet(ok, n - ok, zobrist);
        }

        private int intern(Map<JsonNode, Integer> ids, JsonNode value) {
            return ids.computeIfAbsent(value, v -> {
                values.add(v);
                return values.size() - 1;
            });
        }

        long configurations() {
            return seen.size();
        }

        Outcome run() {
            long deadline = System.nanoTime() + budget.maxTime().toNanos();
            Deque<Choice> choices = new ArrayDeque<>();
            int state = EMPTY;
            int remainingOk = okCount;
            Event entry = head.next;
            long steps = 0;
            while (remainingOk > 0) {
                if ((++steps & 0xFFF) == 0 && System.nanoTime() > deadline
                        || seen.size() > budget.maxConfigurations()) {
                    return Outcome.GAVE_UP;
                }
                if (entry == null) {
                    throw new IllegalStateException("walked past every return with ok operations left");
                }
                if (entry.call) {
                    int after = step(entry.op, state);
                    if (after != IMPOSSIBLE) {
                        linearized.set(entry.op);
                        if (seen.add(linearized.configuration(after))) {
                            choices.push(new Choice(entry, state));
                            state = after;
                            lift(entry);
                            if (entry.partner != null) {
                                remainingOk--;
                            }
                            entry = head.next;
                            continue;
                        }
                        linearized.clear(entry.op);
                    }
                    entry = entry.next;
                } else {
                    // An ok op returns before taking effect: this path is dead, undo the last choice.
                    noteStuck(entry, state);
                    if (choices.isEmpty()) {
                        return Outcome.NOT_LINEARIZABLE;
                    }
                    Choice undo = choices.pop();
                    state = undo.stateBefore();
                    linearized.clear(undo.call().op);
                    unlift(undo.call());
                    if (undo.call().partner != null) {
                        remainingOk++;
                    }
                    entry = undo.call().next;
                }
            }
            return Outcome.LINEARIZABLE;
        }

        /** The cas-register model: the value after op i from {@code state}, or IMPOSSIBLE. */
        private int step(int i, int state) {
            return switch (kind[i]) {
                case READ -> arg[i] == state ? state : IMPOSSIBLE;
                case WRITE -> arg[i];
                case CAS -> arg[i] == state ? to[i] : IMPOSSIBLE;
                case CAS_REFUSED -> state != EMPTY && arg[i] != state ? state : IMPOSSIBLE;
            };
        }

        private static void lift(Event call) {
            call.prev.next = call.next;
            if (call.next != null) {
                call.next.prev = call.prev;
            }
            Event ret = call.partner;
            if (ret != null) {
                ret.prev.next = ret.next;
                if (ret.next != null) {
                    ret.next.prev = ret.prev;
                }
            }
        }

        /** Reverses {@link #lift}; the unlinked events kept their neighbours, so relinking is exact. */
        private static void unlift(Event call) {
            Event ret = call.partner;
            if (ret != null) {
                ret.prev.next = ret;
                if (ret.next != null) {
                    ret.next.prev = ret;
                }
            }
            call.prev.next = call;
            if (call.next != null) {
                call.next.prev = call;
            }
        }

        private void noteStuck(Event ret, int state) {
            if (stuckAt == null || ops.get(ret.op).ret() > ops.get(stuckAt.op).ret()) {
                stuckAt = ret;
                statesAtStuck.clear();
            }
            if (stuckAt == ret) {
                statesAtStuck.add(state);
            }
        }

        String explainFailure() {
            RegisterOp op = ops.get(stuckAt.op);
            return op + " [" + op.call() + ", " + op.ret() + "] cannot take effect: with the operations before its"
                    + " completion, the register could only hold " + describeStates() + "; concurrent with it: "
                    + listed(concurrentWith(op));
        }

        String explainGiveUp() {
            String budgetText = seen.size() > budget.maxConfigurations()
                    ? "more than " + budget.maxConfigurations() + " configurations"
                    : "more than " + budget.maxTime().toMillis() + " ms";
            if (stuckAt == null) {
                return "search gave up after " + budgetText + " before ordering any completion";
            }
            RegisterOp op = ops.get(stuckAt.op);
            return "search gave up after " + budgetText + "; could not order " + op + " [" + op.call() + ", "
                    + op.ret() + "] with the operations concurrent with it: " + listed(concurrentWith(op));
        }

        private String describeStates() {
            return statesAtStuck.stream().map(s -> s == EMPTY ? "nothing (key missing)" : String.valueOf(values.get(s)))
                    .collect(Collectors.joining(" or "));
        }

        /** Ops whose interval overlaps {@code op}'s (an indeterminate op's interval never ends). */
        private List<RegisterOp> concurrentWith(RegisterOp op) {
            return ops.stream().filter(o -> o != op && o.call() < op.ret() && o.ret() > op.call())
                    .sorted(Comparator.comparingLong(RegisterOp::call)).toList();
        }

        private static String listed(List<RegisterOp> ops) {
            if (ops.isEmpty()) {
                return "none";
            }
            String shown = ops.stream().limit(MAX_LISTED).map(RegisterOp::toString).collect(Collectors.joining(", "));
            return ops.size() > MAX_LISTED ? shown + " and " + (ops.size() - MAX_LISTED) + " more" : shown;
        }
    }

    /**
     * The set of linearized op ids, with an incremental Zobrist hash. Ok ops (ids below {@code okCount}, in
     * call order) are mostly linearized as a run from id 0, so the memo key keeps only their words from the
     * first one not all ones to the last one not all zeros; indeterminate ops have words of their own.
     */
    private static final class LinearizedSet {
        private final int okCount;
        private final long[] okWords;
        private final long[] infoWords;
        private final long[] zobrist;
        private long hash;
        private int firstNotFull; // every ok word below it is all ones
        private int lastNotEmpty = -1; // every ok word above it is all zeros

        LinearizedSet(int okCount, int infoCount, long[] zobrist) {
            this.okCount = okCount;
            this.okWords = new long[(okCount + 63) / 64];
            this.infoWords = new long[(infoCount + 63) / 64];
            this.zobrist = zobrist;
        }

        void set(int i) {
            hash ^= zobrist[i];
            if (i >= okCount) {
                infoWords[(i - okCount) >>> 6] |= 1L << (i - okCount);
                return;
            }
            int w = i >>> 6;
            okWords[w] |= 1L << i;
            lastNotEmpty = Math.max(lastNotEmpty, w);
            while (firstNotFull < okWords.length && okWords[firstNotFull] == -1L) {
                firstNotFull++;
            }
        }

        void clear(int i) {
            hash ^= zobrist[i];
            if (i >= okCount) {
                infoWords[(i - okCount) >>> 6] &= ~(1L << (i - okCount));
                return;
            }
            int w = i >>> 6;
            okWords[w] &= ~(1L << i);
            firstNotFull = Math.min(firstNotFull, w);
            while (lastNotEmpty >= 0 && okWords[lastNotEmpty] == 0) {
                lastNotEmpty--;
            }
        }

        Configuration configuration(int state) {
            int infoEnd = infoWords.length;
            while (infoEnd > 0 && infoWords[infoEnd - 1] == 0) {
                infoEnd--;
            }
            int okEnd = Math.max(firstNotFull, lastNotEmpty + 1);
            return new Configuration(firstNotFull, Arrays.copyOfRange(okWords, firstNotFull, okEnd),
                    infoEnd == 0 ? NO_WORDS : Arrays.copyOf(infoWords, infoEnd), state, hash);
        }

        private static final long[] NO_WORDS = new long[0];
    }

    /** A memoised point of the search: the linearized set (full words skipped) and the register value. */
    private static final class Configuration {
        private final int fullWords;
        private final long[] okRest;
        private final long[] info;
        private final int state;
        private final int hashCode;

        Configuration(int fullWords, long[] okRest, long[] info, int state, long zobristHash) {
            this.fullWords = fullWords;
            this.okRest = okRest;
            this.info = info;
            this.state = state;
            long h = zobristHash * 31 + state;
            this.hashCode = (int) (h ^ (h >>> 32));
        }

        @Override
        public int hashCode() {
            return hashCode;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Configuration c && c.hashCode == hashCode && c.state == state
                    && c.fullWords == fullWords && Arrays.equals(c.okRest, okRest) && Arrays.equals(c.info, info);
        }
    }
}
