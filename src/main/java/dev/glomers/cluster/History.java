package dev.glomers.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The run's history, appended to by the runner, read by the checkers. Thread-safe for appends. Values are
 * stored in {@link Json#canonical} form, so checkers may compare them with equals.
 */
public final class History {

    private final List<Op> ops = new ArrayList<>();
    private long invoked;
    private long ok;
    private long failed;
    private long indeterminate;

    /** Client operations so far, by outcome; pending ones have no completion yet. */
    public record Counts(long invoked, long ok, long failed, long indeterminate) {
        public long pending() {
            return invoked - ok - failed - indeterminate;
        }
    }

    public synchronized Op invoke(int process, String f, JsonNode value, long timeNanos, String node,
            boolean finalRead) {
        Op op = new Op(ops.size(), process, Op.Type.INVOKE, f, Json.canonical(value), timeNanos, node, finalRead,
                -1, null);
        ops.add(op);
        if (process >= 0) {
            invoked++;
        }
        return op;
    }

    public synchronized Op complete(Op invocation, Op.Type type, JsonNode value, long timeNanos, String error) {
        Op op = new Op(ops.size(), invocation.process(), type, invocation.f(), Json.canonical(value), timeNanos,
                invocation.node(), invocation.finalRead(), invocation.index(), error);
        ops.add(op);
        if (invocation.process() >= 0) {
            switch (type) {
                case OK -> ok++;
                case FAIL -> failed++;
                case INFO -> indeterminate++;
                default -> throw new IllegalArgumentException("a completion is ok, fail or info, not " + type);
            }
        }
        return op;
    }

    /** Nemesis events (partition start / stop) are recorded as info ops of process -1. */
    public synchronized Op nemesis(String f, JsonNode value, long timeNanos) {
        Op op = new Op(ops.size(), -1, Op.Type.INFO, f, value, timeNanos, null, false, -1, null);
        ops.add(op);
        return op;
    }

    public synchronized Counts counts() {
        return new Counts(invoked, ok, failed, indeterminate);
    }

    public synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    public synchronized Op get(int index) {
        return ops.get(index);
    }

    /** Client invocations: the workbench's op-count for msgs-per-op (net/checker.clj). */
    public synchronized long clientInvocations() {
        return ops.stream().filter(op -> op.isClientOp() && op.isInvoke()).count();
    }

    /** Each client completion of {@code ops}, by the index of its invocation; an invocation missing here never completed. */
    public static Map<Integer, Op> completionsByInvocation(List<Op> ops) {
        Map<Integer, Op> completions = new HashMap<>();
        for (Op op : ops) {
            if (op.isClientOp() && !op.isInvoke()) {
                completions.put(op.invocation(), op);
            }
        }
        return completions;
    }
}
