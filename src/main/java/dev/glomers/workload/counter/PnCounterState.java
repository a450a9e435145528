package dev.glomers.workload.counter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Body;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.workload.counter.CounterMessages.Add;
import dev.glomers.workload.counter.CounterMessages.ReadOk;
import dev.glomers.workload.crdt.AddReadCrdt;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A PN-counter as a state-based CRDT: per origin node, the net sum of the deltas added there and how
 * many adds that was. Only the origin changes its own entry, and each change raises the entry's
 * version, so of two copies of an entry the one with the higher version is the newer: the merge
 * keeps it. (With one writer per entry this is equivalent to the textbook pair of grow-only
 * counters, P and N, and half the size.) The value is the sum of the entries.
 *
 * <p>Delta on the wire: {@code {"n1": [version, sum], ...}}, only the entries the peer lacks. Clients
 * speak {@link CounterMessages}.
 */
public final class PnCounterState implements AddReadCrdt {

    private record Entry(long version, long sum) {
    }

    private final Map<String, Entry> entries = new HashMap<>();

    /**
     * Adds {@code delta} (any sign) at {@code origin}, the local node. An add that would take this node's
     * sum or the count as this node knows it out of the 64-bit range is refused with a definite error
     * (12, as g-counter answers): it never happened, and later reads stay answerable.
     */
    public void add(String origin, long delta) {
        Entry entry = entries.getOrDefault(origin, new Entry(0, 0));
        long sum;
        try {
            sum = Math.addExact(entry.sum(), delta);
            Math.addExact(value(), delta);
        } catch (ArithmeticException overflow) {
            // Definite, and the same answer g-counter gives: the add never happened.
            throw RpcError.malformed("adding " + delta + " would overflow the counter");
        }
        entries.put(origin, new Entry(entry.version() + 1, sum));
    }

    @Override
    public void addFromClient(String origin, ObjectNode addRequest) {
        add(origin, Wire.read(addRequest, Add.class).delta());
    }

    @Override
    public Body readOk() {
        return new ReadOk(value());
    }

    public long value() {
        long total = 0;
        for (Entry entry : entries.values()) {
            total = Math.addExact(total, entry.sum());
        }
        return total;
    }

    @Override
    public Map<String, Long> versions() {
        Map<String, Long> versions = new HashMap<>();
        entries.forEach((origin, entry) -> versions.put(origin, entry.version()));
        return versions;
    }

    @Override
    public JsonNode deltaSince(Map<String, Long> peerHas) {
        ObjectNode delta = Wire.JSON.createObjectNode();
        entries.forEach((origin, entry) -> {
            if (entry.version() > peerHas.getOrDefault(origin, 0L)) {
                delta.putArray(origin).add(entry.version()).add(entry.sum());
            }
        });
        return delta;
    }

    @Override
    public void merge(JsonNode delta) {
        if (!delta.isObject()) {
            throw RpcError.malformed("a pn-counter delta is an object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = delta.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode pair = field.getValue();
            if (!pair.isArray() || pair.size() != 2 || !pair.get(0).canConvertToLong() || !pair.get(1).canConvertToLong()) {
                throw RpcError.malformed("a pn-counter entry is [version, sum]: " + pair);
            }
            Entry theirs = new Entry(pair.get(0).asLong(), pair.get(1).asLong());
            entries.merge(field.getKey(), theirs, (mine, other) -> other.version() > mine.version() ? other : mine);
        }
    }
}
