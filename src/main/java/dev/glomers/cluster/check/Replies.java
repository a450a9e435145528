package dev.glomers.cluster.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.load.ClientLoad.MalformedReplyException;
import java.util.Iterator;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * Reply shape checks as the workbench's closed schemas make them (jepsen-io/maelstrom
 * src/maelstrom/client.clj {@code recv-schema}): the documented fields, {@code in_reply_to}, an optional
 * integer {@code msg_id}, and nothing else.
 */
public final class Replies {

    private Replies() {
    }

    /** Checks type and field names; each of {@code fields} must be present and not null. */
    public static void expect(ObjectNode reply, String type, String... fields) throws MalformedReplyException {
        if (!type.equals(reply.path("type").asText())) {
            throw new MalformedReplyException("expected a " + type + " reply, got " + reply);
        }
        if (!reply.path("in_reply_to").canConvertToLong()) {
            throw new MalformedReplyException("reply without an integer in_reply_to: " + reply);
        }
        if (reply.has("msg_id") && !reply.get("msg_id").canConvertToLong()) {
            throw new MalformedReplyException("reply with a non-integer msg_id: " + reply);
        }
        Set<String> allowed = Set.of(fields);
        for (String field : fields) {
            if (!reply.hasNonNull(field)) {
                throw new MalformedReplyException(type + " reply without " + field + ": " + reply);
            }
        }
        for (Iterator<String> it = reply.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!name.equals("type") && !name.equals("in_reply_to") && !name.equals("msg_id")
                    && !allowed.contains(name)) {
                throw new MalformedReplyException(type + " reply with unexpected field " + name + ": " + reply);
            }
        }
    }

    /** Requires an integral JSON number (the workbench's s/Int). */
    public static long integer(ObjectNode reply, String field) throws MalformedReplyException {
        JsonNode value = reply.get(field);
        if (value == null || !value.isIntegralNumber()) {
            throw new MalformedReplyException(field + " must be an integer: " + reply);
        }
        return value.asLong();
    }

    /** Requires a JSON array. */
    public static JsonNode array(ObjectNode reply, String field) throws MalformedReplyException {
        JsonNode value = reply.get(field);
        if (value == null || !value.isArray()) {
            throw new MalformedReplyException(field + " must be an array: " + reply);
        }
        return value;
    }

    /**
     * Checks a {@code txn_ok} against the transaction it answers: the same micro-ops in the same order,
     * each {@code [f, key, value]} with {@code f} and {@code key} unchanged and a value that
     * {@code valueFits(asked micro-op, value)} accepts (what a read may return depends on the workload).
     * Returns the completed transaction.
     */
    public static JsonNode txnOk(ObjectNode reply, JsonNode invoked, BiPredicate<JsonNode, JsonNode> valueFits)
            throws MalformedReplyException {
        expect(reply, "txn_ok", "txn");
        JsonNode completed = array(reply, "txn");
        if (completed.size() != invoked.size()) {
            throw new MalformedReplyException("txn_ok with " + completed.size() + " micro-ops for " + invoked.size()
                    + ": " + reply);
        }
        for (int i = 0; i < invoked.size(); i++) {
            JsonNode asked = invoked.get(i);
            JsonNode got = completed.get(i);
            boolean sameOp = got.isArray() && got.size() == 3
                    && Json.canonical(got.get(0)).equals(Json.canonical(asked.get(0)))
                    && Json.canonical(got.get(1)).equals(Json.canonical(asked.get(1)));
            if (!sameOp || !valueFits.test(asked, got.get(2))) {
                throw new MalformedReplyException("micro-op " + i + " came back as " + got + " for " + asked + ": "
                        + reply);
            }
        }
        return completed;
    }
}
