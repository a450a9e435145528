package dev.glomers.cluster.load;

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
 * A grow-only set as the workbench tests it (broadcast, g-set): half writes of 0, 1, 2, ..., half reads
 * of the whole set, checked with set-full (every acknowledged element eventually in every read).
 */
abstract class SetLoad extends WriteReadLoad {

    private final String writeType;
    private long nextElement = 0;

    SetLoad(String writeType, String writeField, String readField) {
        super(writeType, writeField, readField);
        this.writeType = writeType;
    }

    @Override
    public Invocation nextInvocation(Random random) {
        return random.nextBoolean() ? write(LongNode.valueOf(nextElement++)) : read();
    }

    @Override
    JsonNode readValue(ObjectNode reply, String field) throws MalformedReplyException {
        return Replies.array(reply, field);
    }

    @Override
    public List<CheckResult> check(History history, CheckContext context) {
        return new SetFullChecker(writeType).check(history);
    }
}
