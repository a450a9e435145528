package dev.glomers.workload.txn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.glomers.delivery.Delivery;
import dev.glomers.node.Effects;
import dev.glomers.node.Wire;
import dev.glomers.storage.Stored;
import dev.glomers.workload.txn.TxnStore.Committed;
import dev.glomers.workload.txn.TxnStore.Write;
import java.util.ArrayList;
import java.util.List;

/**
 * What a txn-rw-register node keeps on disk when it has a data directory (see docs/txn.md, Durability):
 * one record per committed transaction it applied, its own and its peers', its incarnation (one more in
 * every run: the delivery primitive tells runs apart by it), and now and then a snapshot of the whole
 * state that replaces them. Persist before send does the rest: a {@code txn_ok}, a batch carrying a
 * transaction and an acknowledgement of a peer's transactions all leave only once the records they
 * depend on are synced.
 */
final class TxnJournal {

    /** A snapshot is taken once the records since the last one outnumber this, or twice the state's size. */
    static final int MIN_RECORDS_PER_SNAPSHOT = 4096;

    /** One applied transaction: a peer's or, when {@code peer} is null, this node's own; or, with {@code incarnation} alone, a run. */
    record Entry(String peer, Long clock, ArrayNode writes, Long incarnation) {
    }

    record RegisterEntry(JsonNode key, JsonNode value, long clock, String node) {
    }

    /** The whole state: registers, the clock, this node's transactions some peer may lack, and its incarnation. */
    record Snapshot(long clock, List<RegisterEntry> registers, List<Entry> unacknowledged, long incarnation) {
    }

    /** What a restart hands back besides the registers it rebuilt in place: the last run, and what to offer peers again. */
    record Recovered(long incarnation, List<Committed> unacknowledged) {
    }


    private final String self;
    private int sinceSnapshot;

    TxnJournal(String self) {
        this.self = self;
    }

    /** A transaction this node committed and appended to its log. */
    void own(Committed committed, Effects out) {
        persist(new Entry(null, committed.version().clock(), writesToJson(committed.writes()), null), out);
    }

    /** A peer's transaction, just applied. */
    void peer(Committed committed, Effects out) {
        persist(new Entry(committed.version().node(), committed.version().clock(), writesToJson(committed.writes()), null), out);
    }

    /** This run's incarnation: synced before anything of this run leaves, so the next run counts one more. */
    void incarnation(long incarnation, Effects out) {
        persist(new Entry(null, null, null, incarnation), out);
    }

    private void persist(Entry entry, Effects out) {
        out.persist(Wire.toBytes(entry));
        sinceSnapshot++;
    }

    /**
     * At the end of a step: a snapshot once the records since the last one outnumber twice the state, so
     * the data directory stays within a few times the state's size and each record pays O(1) for it on average.
     */
    void snapshotIfDue(TxnStore store, Delivery<Committed> delivery, Effects out) {
        if (sinceSnapshot <= Math.max(MIN_RECORDS_PER_SNAPSHOT, 2 * store.size())) {
            return;
        }
        List<RegisterEntry> registers = new ArrayList<>(store.size());
        store.snapshot().forEach((key, register) ->
                registers.add(new RegisterEntry(key, register.value(), register.version().clock(), register.version().node())));
        List<Entry> unacknowledged = delivery.after(0, 0).stream()
                .map(committed -> new Entry(null, committed.version().clock(), writesToJson(committed.writes()), null))
                .toList();
        out.snapshot(Wire.toBytes(new Snapshot(store.clock(), registers, unacknowledged, delivery.incarnation())));
        sinceSnapshot = 0;
    }

    /** Rebuilds the registers and the clock from what was synced, before the node starts. */
    Recovered recover(Stored stored, TxnStore store) {
        long incarnation = 0;
        List<Committed> unacknowledged = new ArrayList<>();
        if (stored.snapshot() != null) {
            Snapshot snapshot = Wire.fromBytes(stored.snapshot(), Snapshot.class);
            store.clockAtLeast(snapshot.clock());
            for (RegisterEntry register : snapshot.registers()) {
                store.merge(new Committed(new Version(register.clock(), register.node()),
                        List.of(new Write(register.key(), register.value()))));
            }
            snapshot.unacknowledged().forEach(entry -> unacknowledged.add(committedOf(entry, self)));
            incarnation = snapshot.incarnation();
        }
        for (byte[] record : stored.records()) {
            Entry entry = Wire.fromBytes(record, Entry.class);
            sinceSnapshot++;
            if (entry.writes() == null) {
                incarnation = Math.max(incarnation, entry.incarnation());
                continue;
            }
            Committed committed = committedOf(entry, entry.peer() == null ? self : entry.peer());
            store.merge(committed);
            if (entry.peer() == null) {
                unacknowledged.add(committed); // peers may lack it: offered again, they apply it once
            }
        }
        return new Recovered(incarnation, unacknowledged);
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


}
