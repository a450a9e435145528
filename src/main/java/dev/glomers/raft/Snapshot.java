package dev.glomers.raft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Wire;

/**
 * What a snapshot holds (the paper's section 7): the state after applying every entry up to {@code index},
 * whose term is {@code term}. {@code image} is {@code {"machine": the state machine's snapshot, "applied":
 * the applied-request table}}, the two things applying builds.
 */
record Snapshot(long index, long term, JsonNode image) {

    static Snapshot of(long index, long term, JsonNode machine, JsonNode applied) {
        ObjectNode image = Wire.JSON.createObjectNode();
        image.set("machine", machine);
        image.set("applied", applied);
        return new Snapshot(index, term, image);
    }

    JsonNode machine() {
        return image.path("machine");
    }

    JsonNode applied() {
        return image.path("applied");
    }
}
