package dev.glomers.cluster.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.check.Replies;
import java.util.Optional;
import java.util.Set;

/**
 * The shape broadcast, the counters and g-set share: a write that carries its value in one field
 * ({@code broadcast {message}}, {@code add {delta}}, {@code add {element}}), a {@code read} whose reply
 * carries the state in one field, and one more read per worker after healing and the recovery wait.
 * The workbench's clients of these workloads interpret no error reply, so every error is indeterminate.
 */
abstract class WriteReadLoad implements ClientLoad {

    private final String writeType;
    private final String writeField;
    private final String readField;

    WriteReadLoad(String writeType, String writeField, String readField) {
        this.writeType = writeType;
        this.writeField = writeField;
        this.readField = readField;
    }

    Invocation write(JsonNode value) {
        return Invocation.of(writeType, value);
    }

    static Invocation read() {
        return Invocation.of("read", NullNode.instance);
    }

    /** The state a {@code read_ok} reply carries in the read field, as the history records it. */
    abstract JsonNode readValue(ObjectNode reply, String field) throws MalformedReplyException;

    @Override
    public Optional<Invocation> finalInvocation() {
        return Optional.of(new Invocation("read", NullNode.instance, true));
    }

    @Override
    public ObjectNode request(Invocation invocation) {
        ObjectNode body = Json.object();
        body.put("type", invocation.f());
        if (invocation.f().equals(writeType)) {
            body.set(writeField, invocation.value());
        }
        return body;
    }

    @Override
    public JsonNode readReply(Invocation invocation, ObjectNode reply) throws MalformedReplyException {
        if (invocation.f().equals(writeType)) {
            Replies.expect(reply, writeType + "_ok");
            return invocation.value();
        }
        Replies.expect(reply, "read_ok", readField);
        return readValue(reply, readField);
    }

    @Override
    public Set<Integer> definiteErrorCodes() {
        return Set.of();
    }
}
