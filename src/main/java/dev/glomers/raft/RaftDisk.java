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
 * node's request ids apart from those of its earlier runs. And the state for {@code Effects.snapshot},
 * which replaces every record before it: the {@link Snapshot}, the term, vote and epoch, and the entries
 * after the snapshot, so that a restart finds everything it found before, less the compacted entries.
 */
final class RaftDisk<C> {

    /** What a restarted node starts from. */
    record Recovered<C>(long term, String votedFor, List<Entry<C>> log, long epoch, Snapshot snapshot) {
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
        putEntries(record, entries);
        return bytes(record);
    }

    /** The whole durable state at a snapshot: it, the term and vote, this run's epoch, and the entries after it. */
    byte[] snapshot(Snapshot snapshot, long term, String votedFor, long epoch, List<Entry<C>> after) {
        ObjectNode record = Wire.JSON.createObjectNode().put("k", "snapshot")
                .put("index", snapshot.index()).put("last_term", snapshot.term()).put("term", term).put("epoch", epoch);
        if (votedFor != null) {
            record.put("vote", votedFor);
        }
        record.set("image", snapshot.image());
        putEntries(record, after);
        return bytes(record);
    }

    private void putEntries(ObjectNode record, List<Entry<C>> entries) {
        ArrayNode list = record.putArray("entries");
        for (Entry<C> e : entries) {
            ObjectNode entry = list.addObject().put("term", e.term()).put("origin", e.origin()).put("id", e.id());
            if (e.floor() != 0) {
                entry.put("floor", e.floor());
            }
            if (e.command() != null) {
                entry.set("cmd", machine.encode(e.command()));
            }
        }
    }

    private void readEntries(JsonNode record, List<Entry<C>> log) {
        for (JsonNode e : record.path("entries")) {
            JsonNode cmd = e.get("cmd");
            log.add(new Entry<>(e.path("term").asLong(), e.path("origin").asText(), e.path("id").asLong(),
                    cmd == null || cmd.isNull() ? null : machine.decode(cmd), e.path("floor").asLong()));
        }
    }

    Recovered<C> read(Stored stored) {
        long term = 0;
        String votedFor = null;
        long epoch = 0;
        List<Entry<C>> log = new ArrayList<>();
        Snapshot snapshot = null;
        if (stored.snapshot() != null) {
            JsonNode record = parse(stored.snapshot());
            if (!"snapshot".equals(record.path("k").asText())) {
                throw new IllegalStateException("not a Raft snapshot: " + record.path("k"));
            }
            snapshot = new Snapshot(record.path("index").asLong(), record.path("last_term").asLong(), record.path("image"));
            term = record.path("term").asLong();
            votedFor = record.hasNonNull("vote") ? record.get("vote").asText() : null;
            epoch = record.path("epoch").asLong();
            readEntries(record, log);
        }
        long base = snapshot == null ? 0 : snapshot.index();
        for (byte[] bytes : stored.records()) {
            JsonNode record = parse(bytes);
            switch (record.path("k").asText()) {
                case "term" -> {
                    term = record.path("term").asLong();
                    votedFor = record.hasNonNull("vote") ? record.get("vote").asText() : null;
                }
                case "epoch" -> epoch = record.path("epoch").asLong();
                case "entries" -> {
                    // Indexes count from the snapshot's base: the log list holds the entries after it.
                    int from = (int) (record.path("from").asLong() - base);
                    log.subList(Math.min(from - 1, log.size()), log.size()).clear();
                    readEntries(record, log);
                }
                default -> throw new IllegalStateException("not a Raft record: " + record);
            }
        }
        return new Recovered<>(term, votedFor, log, epoch, snapshot);
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
