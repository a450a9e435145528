package dev.glomers.cluster.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.History;
import dev.glomers.cluster.check.Replies;
import dev.glomers.cluster.check.SetFullChecker;
import java.util.List;
import java.util.Random;

/**
 * g-set (jepsen-io/maelstrom src/maelstrom/workload/g_set.clj): half {@code add} of 0, 1, 2, ..., half
 * {@code read} returning {@code value: [..]}; checked with set-full. After healing and the recovery wait
 * every worker reads once more, as the workbench's {@code :final-generator (gen/each-thread {:f :read})}
 * does (older versions of g_set.clj had no final reads; without them set-full judges an available set
 * by reads taken inside the last partition and reports elements from the other side as lost).
 */
public final class GSetWorkload extends WriteReadWorkload {

    private long nextElement = 0;

    public GSetWorkload() {
        super("add", "element", "value");
    }

    @Override
    public String name() {
        return "g-set";
    }

    @Override
    public Invocation nextInvocation(Random random) {
        return random.nextBoolean()
                ? write(LongNode.valueOf(nextElement++))
                : read();
    }

    @Override
    JsonNode readValue(ObjectNode reply, String field) throws MalformedReplyException {
        return Replies.array(reply, field);
    }

    @Override
    public List<CheckResult> check(History history, CheckContext context) {
        return new SetFullChecker("add").check(history);
    }
}
