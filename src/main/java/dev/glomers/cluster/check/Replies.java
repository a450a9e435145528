package dev.glomers.cluster.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.load.ClientLoad.MalformedReplyException;
import java.util.Iterator;
import java.util.Set;

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
}
