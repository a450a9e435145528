package dev.glomers.workload.txn;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.glomers.delivery.Delivery;
import dev.glomers.node.Effects;
import dev.glomers.node.Wire;
import dev.glomers.storage.Stored;
import dev.glomers.workload.txn.TxnStore.Committed;
import dev.glomers.workload.txn.TxnStore.Write;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a txn-rw-register node keeps on disk when it has a data directory (see docs/txn.md, Durability):
 * one record per committed transaction it applied, its own (in commit order, so their seqs follow from
 * their order) and its peers' (with the peer's seq), and now and then a snapshot of the whole state that
 * replaces them. Persist before send does the rest: a {@code txn_ok}, a batch carrying a transaction and
 * an acknowledgement of a peer's transactions all leave only once the records they depend on are synced.
 */
final class TxnJournal {

    /** A snapshot is taken once the records since the last one outnumber this, or twice the state's size. */
    static final int MIN_RECORDS_PER_SNAPSHOT = 4096;

    /** One applied transaction: a peer's (with that peer's seq) or, when {@code peer} is null, this node's own. */
    record Entry(String peer, Long seq, long clock, ArrayNode writes) {
    }

    record RegisterEntry(JsonNode key, JsonNode value, long clock, String node) {
    }

    /** The whole state: registers, the clock, this node's log as far as some peer may lack it, and what it holds of each peer's. */
    record Snapshot(long clock, List<RegisterEntry> registers, long ownLast, List<Entry> retained, Map<String, Long> held) {
    }

    /** The wire's mapper, except that a field left out (null) is read as null: records leave nulls out. */
    private static final ObjectMapper JSON = Wire.JSON.copy()
            .disable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES);

    private final String self;
    private int sinceSnapshot;

    TxnJournal(String self) {
        this.self = self;
    }

    /** A transaction this node committed and appended to its log. */
    void own(Committed committed, Effects out) {
        persist(new Entry(null, null, committed.version().clock(), writesToJson(committed.writes())), out);
    }

    /** A peer's transaction with its seq, just applied. */
    void peer(String peer, long seq, Committed committed, Effects out) {
        persist(new Entry(peer, seq, committed.version().clock(), writesToJson(committed.writes())), out);
    }

    private void persist(Entry entry, Effects out) {
        out.persist(encode(entry));
        sinceSnapshot++;
    }

    /**
     * At the end of a step (never in the middle of one, where the delivery may already count entries not
     * yet applied): a snapshot once the records since the last one outnumber twice the state, so the data
     * directory stays within a few times the state's size and each record pays O(1) for it on average.
     */
    void snapshotIfDue(TxnStore store, Delivery<Committed> delivery, Effects out) {
        if (sinceSnapshot > Math.max(MIN_RECORDS_PER_SNAPSHOT, 2 * store.size())) {
            out.snapshot(encode(snapshotOf(store, delivery)));
            sinceSnapshot = 0;
        }
    }

    private Snapshot snapshotOf(TxnStore store, Delivery<Committed> delivery) {
        List<RegisterEntry> registers = new ArrayList<>(store.size());
        store.snapshot().forEach((key, register) ->
                registers.add(new RegisterEntry(key, register.value(), register.version().clock(), register.version().node())));
        List<Entry> retained = delivery.after(0, 0).stream()
                .map(committed -> new Entry(null, null, committed.version().clock(), writesToJson(committed.writes())))
                .toList();
        Map<String, Long> held = new HashMap<>();
        delivery.peers().forEach(peer -> held.put(peer, delivery.held(peer, 0)));
        return new Snapshot(store.clock(), registers, delivery.last(0), retained, held);
    }

    /** Rebuilds the registers, the clock and the delivery's logs from what was synced, before the node starts. */
    void recover(Stored stored, TxnStore store, Delivery<Committed> delivery) {
        long ownLast = 0;
        List<Committed> retained = new ArrayList<>();
        Map<String, Long> held = new HashMap<>();
        if (stored.snapshot() != null) {
            Snapshot snapshot = decode(stored.snapshot(), Snapshot.class);
            store.clockAtLeast(snapshot.clock());
            for (RegisterEntry register : snapshot.registers()) {
                store.merge(new Committed(new Version(register.clock(), register.node()),
                        List.of(new Write(register.key(), register.value()))));
            }
            ownLast = snapshot.ownLast();
            snapshot.retained().forEach(entry -> retained.add(committedOf(entry, self)));
            held.putAll(snapshot.held());
        }
        for (byte[] record : stored.records()) {
            Entry entry = decode(record, Entry.class);
            Committed committed = committedOf(entry, entry.peer() == null ? self : entry.peer());
            store.merge(committed);
            if (entry.peer() == null) {
                ownLast++;
                retained.add(committed);
            } else {
                held.merge(entry.peer(), entry.seq(), Math::max);
            }
            sinceSnapshot++;
        }
        delivery.resume(0, ownLast, retained);
        held.forEach((peer, seq) -> {
            if (delivery.isPeer(peer)) {
                delivery.resumeHeld(peer, 0, seq);
            }
        });
    }

    private static Committed committedOf(Entry entry, String node) {
        List<Write> writes = new ArrayList<>(entry.writes().size());
        entry.writes().forEach(pair -> writes.add(new Write(pair.get(0), pair.get(1))));
        return new Committed(new Version(entry.clock(), node), writes);
    }

    static ArrayNode writesToJson(List<Write> writes) {
        ArrayNode json = JsonNodeFactory.instance.arrayNode(writes.size());
        writes.forEach(write -> json.addArray().add(write.key()).add(write.value()));
        return json;
    }

    private static byte[] encode(Object record) {
        try {
            return JSON.writeValueAsBytes(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T decode(byte[] bytes, Class<T> type) {
        try {
            return JSON.readValue(bytes, type);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable txn record", e);
        }
    }
}
