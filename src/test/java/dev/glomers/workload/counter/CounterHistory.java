package dev.glomers.workload.counter;

import dev.glomers.node.Message;
import dev.glomers.sim.Simulation;
import java.util.ArrayList;
import java.util.List;

/**
 * Counter operations issued to a {@link Simulation}, with their virtual invocation and completion
 * times (in the nodes' milliseconds), so a test can check every read against the adds around it.
 */
final class CounterHistory {

    static final class Op {
        final String node;
        final boolean add;
        final long delta;
        final long invokedAt;
        Message reply;
        long completedAt = -1;

        Op(String node, boolean add, long delta, long invokedAt) {
            this.node = node;
            this.add = add;
            this.delta = delta;
            this.invokedAt = invokedAt;
        }

        boolean ok() {
            return reply != null && reply.type().equals(add ? "add_ok" : "read_ok");
        }

        boolean failed() {
            return reply != null && !ok();
        }

        long value() {
            return reply.body().get("value").asLong();
        }

        int errorCode() {
            return reply.body().path("code").asInt(-1);
        }

        @Override
        public String toString() {
            return (add ? "add " + delta : "read") + " on " + node + " at " + invokedAt + " -> "
                    + (reply == null ? "pending" : reply.body() + " at " + completedAt);
        }
    }

    private final Simulation sim;
    final List<Op> ops = new ArrayList<>();

    CounterHistory(Simulation sim) {
        this.sim = sim;
    }

    Op add(String node, long delta) {
        return issue(new Op(node, true, delta, sim.time().millis()), "{\"type\":\"add\",\"delta\":" + delta + "}");
    }

    Op read(String node) {
        return issue(new Op(node, false, 0, sim.time().millis()), "{\"type\":\"read\"}");
    }

    private Op issue(Op op, String body) {
        ops.add(op);
        sim.request(op.node, body).thenAccept(reply -> {
            op.reply = reply;
            op.completedAt = sim.time().millis();
        });
        return op;
    }

    /** Sum of the adds acknowledged at or before {@code time}. */
    long acknowledgedBy(long time) {
        return ops.stream().filter(op -> op.add && op.ok() && op.completedAt <= time).mapToLong(op -> op.delta).sum();
    }

    /** Sum of the adds invoked at or before {@code time} that did not fail definitely: all an honest read may count. */
    long possibleBy(long time) {
        return ops.stream().filter(op -> op.add && op.invokedAt <= time && !(op.failed() && op.errorCode() != 0 && op.errorCode() != 13))
                .mapToLong(op -> op.delta).sum();
    }

    long acknowledged() {
        return acknowledgedBy(Long.MAX_VALUE);
    }

    List<Op> reads() {
        return ops.stream().filter(op -> !op.add).toList();
    }

    List<Op> adds() {
        return ops.stream().filter(op -> op.add).toList();
    }
}
