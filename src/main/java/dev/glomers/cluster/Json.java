package dev.glomers.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;

/** The runner's one JSON mapper and a few helpers; messages are handled as Jackson trees. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** Parses one wire line; throws if it is not a JSON object. */
    public static ObjectNode parseObject(String line) throws JsonProcessingException {
        JsonNode node = MAPPER.readTree(line);
        if (node == null || !node.isObject()) {
            throw new JsonProcessingException("not a JSON object") {
            };
        }
        return (ObjectNode) node;
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String pretty(Object value) {
        try {
            return PRETTY.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The value with every integral number as a long (or big integer) and every other number as a double,
     * recursively, so that equality means what it means in the workbench (Clojure): the wire's 1 equals
     * our 1 whatever Jackson node class parsed it, while 1 and 1.0 stay different.
     */
    public static JsonNode canonical(JsonNode value) {
        if (value == null) {
            return NullNode.instance;
        }
        if (value.isIntegralNumber()) {
            return value.canConvertToLong()
                    ? LongNode.valueOf(value.asLong())
                    : BigIntegerNode.valueOf(value.bigIntegerValue());
        }
        if (value.isNumber()) {
            return DoubleNode.valueOf(value.doubleValue());
        }
        if (value.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode(value.size());
            value.forEach(element -> copy.add(canonical(element)));
            return copy;
        }
        if (value.isObject()) {
            ObjectNode copy = object();
            value.fields().forEachRemaining(e -> copy.set(e.getKey(), canonical(e.getValue())));
            return copy;
        }
        return value;
    }

    public static JsonNode valueOf(Object value) {
        return MAPPER.valueToTree(value);
    }
}
