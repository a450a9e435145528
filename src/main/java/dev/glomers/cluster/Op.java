package dev.glomers.cluster;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One history entry, as in a Jepsen history: an invocation or its completion.
 *
 * @param index position in the history
 * @param process the client worker number, or -1 for the nemesis
 * @param type invoke, ok, fail (definitely did not happen) or info (indeterminate)
 * @param f the operation, e.g. "broadcast", "read", "add"
 * @param value the invocation's argument; for an ok completion, the result (e.g. the values read)
 * @param timeNanos nanoseconds since the start of the client phase
 * @param node the node the worker talks to
 * @param finalRead true for the final reads issued after healing
 * @param invocation for a completion, the index of its invocation; -1 for invocations
 * @param error for fail / info, why
 */
public record Op(int index, int process, Type type, String f, JsonNode value, long timeNanos, String node,
        boolean finalRead, int invocation, String error) {

    public enum Type {
        INVOKE, OK, FAIL, INFO
    }

    public boolean isInvoke() {
        return type == Type.INVOKE;
    }

    public boolean isOk() {
        return type == Type.OK;
    }

    public boolean isClientOp() {
        return process >= 0;
    }
}
