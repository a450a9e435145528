package dev.glomers.workload.crdt;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Body;

/**
 * A CRDT whose clients change it with {@code add} and read it whole with {@code read} (g-set,
 * pn-counter): all that such a workload adds to {@link CrdtCore}, which serves both from this state.
 */
public interface AddReadCrdt extends CrdtState {

    /** Applies a client's {@code add} request (its body) as an update made at {@code origin}, the local node. */
    void addFromClient(String origin, ObjectNode addRequest);

    /** The {@code read_ok} that answers a client's {@code read}. */
    Body readOk();
}
