package dev.glomers.workload.gset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Body;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.workload.crdt.AddReadCrdt;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A grow-only set as a state-based CRDT, kept as one append-only log per origin node (the elements
 * added there, in order). Every copy of an origin's log is a prefix of the origin's own, so a log's
 * length is its version, and a peer that has {@code k} elements of an origin needs only the rest.
 * The set is the union of the logs.
 *
 * <p>Delta on the wire: {@code {"n1": [from, [element, ...]], ...}}: the elements of n1's log from
 * index {@code from} on. A delta that starts beyond what we hold would leave a hole; it cannot
 * happen (a peer sends from what we told it we have) and is ignored if it does, to be resent.
 *
 * <p>Clients: {@code add {element}} and {@code read -> read_ok {value: [element, ...]}}.
 */
public final class GSetState implements AddReadCrdt {

    private record Add(JsonNode element) {
    }

    private record ReadOk(Collection<JsonNode> value) implements Body {
        @Override
        public String type() {
            return "read_ok";
        }
    }

    private final Map<String, List<JsonNode>> logs = new HashMap<>();
    private final Set<JsonNode> elements = new LinkedHashSet<>();

    /** Adds {@code element} at {@code origin}, the local node. */
    public void add(String origin, JsonNode element) {
        logs.computeIfAbsent(origin, o -> new ArrayList<>()).add(element);
        elements.add(element);
    }

    public Collection<JsonNode> elements() {
        return Collections.unmodifiableCollection(elements);
    }

    @Override
    public void addFromClient(String origin, ObjectNode addRequest) {
        add(origin, Wire.read(addRequest, Add.class).element());
    }

    @Override
    public Body readOk() {
        return new ReadOk(elements());
    }

    @Override
    public Map<String, Long> versions() {
        Map<String, Long> versions = new HashMap<>();
        logs.forEach((origin, log) -> versions.put(origin, (long) log.size()));
        return versions;
    }

    @Override
    public JsonNode deltaSince(Map<String, Long> peerHas) {
        ObjectNode delta = Wire.JSON.createObjectNode();
        logs.forEach((origin, log) -> {
            int from = (int) Math.min(log.size(), Math.max(0L, peerHas.getOrDefault(origin, 0L)));
            if (from < log.size()) {
                ArrayNode chunk = delta.putArray(origin);
                chunk.add(from);
                chunk.addArray().addAll(log.subList(from, log.size()));
            }
        });
        return delta;
    }

    @Override
    public void merge(JsonNode delta) {
        if (!delta.isObject()) {
            throw RpcError.malformed("a g-set delta is an object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = delta.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode chunk = field.getValue();
            if (!chunk.isArray() || chunk.size() != 2 || !chunk.get(0).canConvertToInt() || !chunk.get(1).isArray()) {
                throw RpcError.malformed("a g-set chunk is [from, [elements]]: " + chunk);
            }
            int from = chunk.get(0).asInt();
            JsonNode added = chunk.get(1);
            List<JsonNode> log = logs.computeIfAbsent(field.getKey(), o -> new ArrayList<>());
            if (from < 0 || from > log.size()) {
                continue;
            }
            for (int i = log.size() - from; i < added.size(); i++) {
                log.add(added.get(i));
                elements.add(added.get(i));
            }
        }
    }
}
