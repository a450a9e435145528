package dev.glomers.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.concurrent.TimeUnit;

/** Hand-made histories for checker tests; times are in milliseconds. */
final class Histories {

    final History history = new History();

    Op invoke(int process, String f, Object value, long millis) {
        return history.invoke(process, f, json(value), nanos(millis), "n" + process, false);
    }

    Op invokeFinal(int process, String f, long millis) {
        return history.invoke(process, f, NullNode.instance, nanos(millis), "n" + process, true);
    }

    Op ok(Op invocation, Object value, long millis) {
        return history.complete(invocation, Op.Type.OK, json(value), nanos(millis), null);
    }

    Op info(Op invocation, long millis) {
        return history.complete(invocation, Op.Type.INFO, invocation.value(), nanos(millis), "timeout");
    }

    Op fail(Op invocation, long millis) {
        return history.complete(invocation, Op.Type.FAIL, invocation.value(), nanos(millis), "error 11");
    }

    /** An op that completes at once. */
    Op okOp(int process, String f, Object value, Object result, long millis) {
        return ok(invoke(process, f, value, millis), result, millis + 1);
    }

    private static JsonNode json(Object value) {
        return value instanceof JsonNode node ? node : Json.valueOf(value);
    }

    private static long nanos(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
