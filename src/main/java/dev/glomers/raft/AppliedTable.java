package dev.glomers.raft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.glomers.node.Wire;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The applied-request table: which client operations took effect, so that one carried twice (a duplicate
 * message, a re-forward to a new leader) takes effect once. Bounded by per-origin floors: every entry
 * carries its origin's floor, the smallest id the origin still waits for (all its smaller ids were applied,
 * or answered with an error: timed out, so either outcome is allowed, or never sent). An id under the
 * floor counts as done, so only the ids at or above it are kept: about the operations in flight.
 *
 * <p>The table changes only as committed entries are applied, in log order, so it is the same on every
 * node at the same index, and it is part of a snapshot.
 */
final class AppliedTable {

    private static final class Origin {
        long floor;
        final TreeSet<Long> applied = new TreeSet<>();
    }

    private final Map<String, Origin> origins = new HashMap<>();

    /**
     * The operation (origin, id) is applied now unless it already was or lies under the origin's floor
     * (false: skip it); then the origin's floor rises to {@code floor} and the ids under it are forgotten.
     */
    boolean record(String origin, long id, long floor) {
        Origin o = origins.computeIfAbsent(origin, k -> new Origin());
        boolean fresh = id >= o.floor && o.applied.add(id);
        if (floor > o.floor) {
            o.floor = floor;
            o.applied.headSet(floor).clear();
        }
        return fresh;
    }

    /** Whether (origin, id) took effect or counts as done. */
    boolean contains(String origin, long id) {
        Origin o = origins.get(origin);
        return o != null && (id < o.floor || o.applied.contains(id));
    }

    /** Ids kept, over all origins (the bound tests watch). */
    int size() {
        return origins.values().stream().mapToInt(o -> o.applied.size()).sum();
    }

    /** As JSON for a snapshot: {@code {origin: [floor, id, id, ...]}}. */
    JsonNode toJson() {
        var json = Wire.JSON.createObjectNode();
        origins.forEach((origin, o) -> {
            ArrayNode ids = json.putArray(origin).add(o.floor);
            o.applied.forEach(ids::add);
        });
        return json;
    }

    /** Replaces the table by one {@link #toJson} wrote. */
    void restore(JsonNode json) {
        origins.clear();
        json.fields().forEachRemaining(field -> {
            Origin o = new Origin();
            JsonNode ids = field.getValue();
            o.floor = ids.path(0).asLong();
            for (int i = 1; i < ids.size(); i++) {
                o.applied.add(ids.get(i).asLong());
            }
            origins.put(field.getKey(), o);
        });
    }
}
