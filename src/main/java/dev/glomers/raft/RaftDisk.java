package dev.glomers.raft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Wire;
import dev.glomers.storage.Stored;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Raft's durable state as records for {@code Effects.persist} (the paper's Figure 2 "persistent state":
 * currentTerm, votedFor, the log), and reading it back on a restart. Three kinds of record, each JSON:
 * the term and vote; entries from an index on (replacing whatever the log held from there, so a
 * follower's truncation needs no record of its own); and the epoch of a run, which keeps a restarted
 * node's request ids apart from those of its earlier runs.
 */
final class RaftDisk<C> {

    /** What a restarted node starts from. */
    record Recovered<C>(long term, String votedFor, List<Entry<C>> log, long epoch) {
    }

    private final StateMachine<C, ?> machine;

    RaftDisk(StateMachine<C, ?> machine) {
        this.machine = machine;
    }

    static byte[] termAndVote(long term, String votedFor) {
        ObjectNode record = Wire.JSON.createObjectNode().put("k", "term").put("term", term);
        if (votedFor != null) {
            record.put("vote", votedFor);
        }
        return bytes(record);
    }

    static byte[] epoch(long epoch) {
        return bytes(Wire.JSON.createObjectNode().put("k", "epoch").put("epoch", epoch));
    }

    /** The log from index {@code from} on is {@code entries}. */
    byte[] entries(long from, List<Entry<C>> entries) {
        ObjectNode record = Wire.JSON.createObjectNode().put("k", "entries").put("from", from);
        ArrayNode list = record.putArray("entries");
        for (Entry<C> e : entries) {
            ObjectNode entry = list.addObject().put("term", e.term()).put("origin", e.origin()).put("id", e.id());
            if (e.command() != null) {
                entry.set("cmd", machine.encode(e.command()));
            }
        }
        return bytes(record);
    }

    Recovered<C> read(Stored stored) {
        long term = 0;
        String votedFor = null;
        long epoch = 0;
        List<Entry<C>> log = new ArrayList<>();
        for (byte[] bytes : stored.records()) {
            JsonNode record = parse(bytes);
            switch (record.path("k").asText()) {
                case "term" -> {
                    term = record.path("term").asLong();
                    votedFor = record.hasNonNull("vote") ? record.get("vote").asText() : null;
                }
                case "epoch" -> epoch = record.path("epoch").asLong();
                case "entries" -> {
                    int from = (int) record.path("from").asLong();
                    log.subList(Math.min(from - 1, log.size()), log.size()).clear();
                    for (JsonNode e : record.path("entries")) {
                        JsonNode cmd = e.get("cmd");
                        log.add(new Entry<>(e.path("term").asLong(), e.path("origin").asText(), e.path("id").asLong(),
                                cmd == null || cmd.isNull() ? null : machine.decode(cmd)));
                    }
                }
                default -> throw new IllegalStateException("not a Raft record: " + record);
            }
        }
        return new Recovered<>(term, votedFor, log, epoch);
    }

    private static byte[] bytes(JsonNode record) {
        try {
            return Wire.JSON.writeValueAsBytes(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode parse(byte[] bytes) {
        try {
            return Wire.JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
