package dev.glomers.cluster.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.History;
import dev.glomers.cluster.check.CounterChecker;
import dev.glomers.cluster.check.Replies;
import java.util.List;
import java.util.Random;

/**
 * g-counter and pn-counter (jepsen-io/maelstrom src/maelstrom/workload/pn_counter.clj and
 * g_counter.clj). pn-counter mixes, half and half, {@code add} of a delta in [-5, 4] and {@code read};
 * g-counter is the same generator with negative adds filtered out, so a third of its operations are adds
 * of 0..4. After healing and the recovery wait every worker reads once more; those final reads must fall
 * in the acceptable set ({@link CounterChecker}).
 */
public final class CounterLoad extends WriteReadLoad {

    private final String name;
    private final boolean growOnly;

    private CounterLoad(String name, boolean growOnly) {
        super("add", "delta", "value");
        this.name = name;
        this.growOnly = growOnly;
    }

    public static CounterLoad growOnly() {
        return new CounterLoad("g-counter", true);
    }

    public static CounterLoad positiveNegative() {
        return new CounterLoad("pn-counter", false);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Invocation nextInvocation(Random random) {
        while (true) {
            if (!random.nextBoolean()) {
                return read();
            }
            long delta = random.nextInt(10) - 5;
            if (!growOnly || delta >= 0) {
                return write(LongNode.valueOf(delta));
            }
            // g-counter: the workbench filters negative adds out of the same mix, then draws again
        }
    }

    @Override
    JsonNode readValue(ObjectNode reply, String field) throws MalformedReplyException {
        return LongNode.valueOf(Replies.integer(reply, field));
    }

    @Override
    public List<CheckResult> check(History history, CheckContext context) {
        return List.of(new CounterChecker().check(history));
    }
}
