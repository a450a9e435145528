package dev.glomers.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The one place that turns lines into messages and messages into lines.
 * <ul>
 * <li>Record components are camelCase, fields on the wire snake_case ({@code nodeIds} is {@code node_ids}).</li>
 * <li>Nulls are never written: a client reply with a null field is "malformed" to the workbench.</li>
 * <li>Every component of a body record is required on the way in (a missing or null one is error 12;
 *     a {@code JsonNode} component reads a JSON null as {@code NullNode}, so an echo of null still works);
 *     unknown fields are ignored, since every body also carries type and ids.</li>
 * </ul>
 */
public final class Wire {

    public static final ObjectMapper JSON = JsonMapper.builder()
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    /**
     * The same mapping, except that a field left out reads as null (or 0): for bodies our own nodes send each
     * other and records they store, which leave out what is not set (an incarnation without a data directory,
     * say). Never for a client's request, which must be complete.
     */
    public static final ObjectMapper LENIENT = JSON.copy()
            .disable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private Wire() {
    }

    /** A record for the durable log ({@link Effects#persist}, {@link Effects#snapshot}): JSON, as on the wire. */
    public static byte[] toBytes(Object record) {
        try {
            return JSON.writeValueAsBytes(record);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot store " + record.getClass().getSimpleName(), e);
        }
    }

    /** A stored record back as {@code type} ({@link #LENIENT}: fields it left out read as null or 0). */
    public static <T> T fromBytes(byte[] bytes, Class<T> type) {
        try {
            return LENIENT.readValue(bytes, type);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a stored record that does not read as " + type.getSimpleName(), e);
        }
    }

    /**
     * Parses one line. Returns null for a line that is not a message (not JSON, no body object,
     * no type): there is nobody to answer such a line, so the caller logs it and goes on.
     */
    public static Message parse(String line) {
        JsonNode tree;
        try {
            tree = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return null;
        }
        if (tree == null || !tree.isObject()) {
            return null;
        }
        JsonNode body = tree.get("body");
        if (body == null || !body.isObject() || !body.path("type").isTextual()) {
            return null;
        }
        return new Message(tree.path("src").asText(""), tree.path("dest").asText(""), (ObjectNode) body);
    }

    /** Reads a message body as the record a handler declares; a body that does not fit is error 12. */
    public static <B> B read(ObjectNode body, Class<B> type) {
        if (type == JsonNode.class || type == ObjectNode.class) {
            return type.cast(body);
        }
        try {
            return JSON.treeToValue(body, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw RpcError.malformed("malformed " + body.path("type").asText() + ": " + firstLine(e.getMessage()));
        }
    }

    /** A body as a JSON object, with the type its record declares. */
    public static ObjectNode tree(Body body) {
        return JSON.valueToTree(body);
    }

    /** One message as one line, without the trailing newline. */
    public static String line(String src, String dest, ObjectNode body) {
        ObjectNode envelope = JSON.createObjectNode();
        envelope.put("src", src);
        envelope.put("dest", dest);
        envelope.set("body", body);
        try {
            return JSON.writeValueAsString(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a message body", e);
        }
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
