package dev.glomers.workload.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A state-based CRDT whose every update is made by one origin node and numbered by it, so a state
 * is summed up by its version vector and a peer can be sent only what it lacks (a delta). Merging
 * is idempotent, commutative and associative: deltas may arrive twice, late, or out of order.
 */
public interface CrdtState {

    /** Origin -> number of that origin's updates this state holds. */
    Map<String, Long> versions();

    /** Everything this state holds beyond {@code peerHas}, as the JSON that {@link #merge} takes. */
    JsonNode deltaSince(Map<String, Long> peerHas);

    /** Folds in a delta (or a whole state) from a peer. */
    void merge(JsonNode delta);
}
