package dev.glomers.workload.linkv;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Linearizability of one compare-and-set register's history: Wing and Gong's search with memoization
 * of (operations linearized, register value), the way Knossos and Porcupine prune it. Stricter than
 * the workbench's checker in one way: a read answered "key does not exist" and a cas answered 20 or 22
 * are observations the order must explain, not operations to drop.
 */
final class CasRegisterChecker {

    enum Kind { READ, WRITE, CAS }

    /**
     * How a call ended: OK; MISSING (error 20) and MISMATCH (error 22), which are observations; INFO,
     * which may or may not have taken effect at any time after its invocation. Calls that certainly did
     * not happen (error 11) are left out of the history.
     */
    enum Outcome { OK, MISSING, MISMATCH, INFO }

    /**
     * One call on the register; {@code value} is the value written, read (OK read) or the cas's
     * {@code to}; {@code from} the cas's expected value. Sequence numbers order invocations and
     * completions in real time; an INFO call never completes.
     */
    record Op(Kind kind, Integer value, Integer from, Outcome outcome, long invokeSeq, long completeSeq) {
        boolean required() {
            return outcome != Outcome.INFO;
        }
    }

    private final List<Op> ops = new ArrayList<>();
    private final Set<State> explored = new HashSet<>();
    private final int required;

    private record State(BitSet done, Integer value) {
    }

    private CasRegisterChecker(List<Op> history) {
        for (Op op : history) {
            if (op.outcome() == Outcome.INFO && op.kind() == Kind.READ) {
                continue; // a read that never answered constrains nothing
            }
            ops.add(op);
        }
        ops.sort((a, b) -> Long.compare(a.invokeSeq(), b.invokeSeq()));
        required = (int) ops.stream().filter(Op::required).count();
    }

    /** Whether some order of the calls, each at one instant between its invocation and completion, explains every answer. */
    static boolean linearizable(List<Op> history) {
        CasRegisterChecker checker = new CasRegisterChecker(history);
        return checker.search(new BitSet(), 0, null);
    }

    private boolean search(BitSet done, int requiredDone, Integer value) {
        if (requiredDone == required) {
            return true;
        }
        if (!explored.add(new State((BitSet) done.clone(), value))) {
            return false;
        }
        long firstCompletion = Long.MAX_VALUE;
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            if (!done.get(i) && op.required()) {
                firstCompletion = Math.min(firstCompletion, op.completeSeq());
            }
        }
        for (int i = 0; i < ops.size() && ops.get(i).invokeSeq() < firstCompletion; i++) {
            if (done.get(i)) {
                continue;
            }
            Op op = ops.get(i);
            Step step = step(op, value);
            if (step == null) {
                continue;
            }
            done.set(i);
            boolean found = search(done, requiredDone + (op.required() ? 1 : 0), step.value());
            done.clear(i);
            if (found) {
                return true;
            }
        }
        return false;
    }

    private record Step(Integer value) {
    }

    /** The register after {@code op} from {@code value}, or null when {@code op} cannot have answered so there. */
    private static Step step(Op op, Integer value) {
        return switch (op.kind()) {
            case READ -> switch (op.outcome()) {
                case OK -> Objects.equals(value, op.value()) ? new Step(value) : null;
                case MISSING -> value == null ? new Step(null) : null;
                default -> null;
            };
            case WRITE -> new Step(op.value());
            case CAS -> switch (op.outcome()) {
                // An INFO cas that takes effect is placed here; one that did not needs no place at all.
                case OK, INFO -> value != null && value.equals(op.from()) ? new Step(op.value()) : null;
                case MISSING -> value == null ? new Step(null) : null;
                case MISMATCH -> value != null && !value.equals(op.from()) ? new Step(value) : null;
            };
        };
    }
}
