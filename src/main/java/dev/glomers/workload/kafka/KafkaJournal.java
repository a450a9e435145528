package dev.glomers.workload.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.delivery.Delivery;
import dev.glomers.node.Effects;
import dev.glomers.node.Wire;
import dev.glomers.storage.Stored;
import dev.glomers.workload.kafka.KafkaMessages.Appended;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a kafka node keeps on disk when it has a data directory (docs/kafka.md, Durability): a record per
 * message it appended as owner (with the forward it answered, if any), per message it took into a replica,
 * per commit it acknowledged, and its incarnation (one more in every run: forwards and the delivery
 * primitive tell runs apart by it); now and then a snapshot of it all. Persist before send does the rest:
 * send_ok, a forward's answer, a replica's acknowledgement and commit_offsets_ok all leave only once what
 * they depend on is synced.
 */
final class KafkaJournal {

    /** A snapshot is taken once the records since the last one outnumber this, or twice the messages held. */
    static final int MIN_RECORDS_PER_SNAPSHOT = 4096;

    /**
     * One record: an own append ({@code key}, {@code offset}, {@code msg}; {@code forwarder},
     * {@code incarnation}, {@code msgId} name the forward it answered), a replica's message (the same with
     * its {@code owner}), a commit ({@code commit}), or this node's incarnation alone.
     */
    record Entry(String key, Long offset, JsonNode msg, String owner, String forwarder, Long incarnation, Long msgId,
                 Map<String, Long> commit) {
    }

    /** Everything: every key's log (owned or replica), own appends some peer may lack, commits, the run, the forwards. */
    record Snapshot(Map<String, List<JsonNode>> logs, List<Appended> unacknowledged, Map<String, Long> committed,
                    long incarnation, Map<String, ForwardedSends.PeerState> forwards) {
    }

    /** What a restart hands back besides the state it rebuilt in place. */
    record Recovered(long incarnation, Map<String, Long> committed, List<Appended> unacknowledged) {
    }


    private int sinceSnapshot;

    void own(Appended appended, String forwarder, Long incarnation, Long msgId, Effects out) {
        persist(new Entry(appended.key(), appended.offset(), appended.msg(), null, forwarder, incarnation, msgId, null), out);
    }

    void replica(String owner, Appended appended, Effects out) {
        persist(new Entry(appended.key(), appended.offset(), appended.msg(), owner, null, null, null, null), out);
    }

    void commit(Map<String, Long> offsets, Effects out) {
        persist(new Entry(null, null, null, null, null, null, null, offsets), out);
    }

    /** This run's incarnation: synced before anything of this run leaves, so the next run counts one more. */
    void incarnation(long incarnation, Effects out) {
        persist(new Entry(null, null, null, null, null, incarnation, null, null), out);
    }

    private void persist(Entry entry, Effects out) {
        out.persist(Wire.toBytes(entry));
        sinceSnapshot++;
    }

    /**
     * At the end of a step: a snapshot once the records since the last one outnumber twice the messages held.
     * Called after every step of a durable node, so the check costs O(1) and the commits are read only when due.
     */
    void snapshotIfDue(LogStore store, Delivery<Appended> delivery, Supplier<Map<String, Long>> committed,
                       ForwardedSends forwards, Effects out) {
        if (sinceSnapshot <= Math.max(MIN_RECORDS_PER_SNAPSHOT, 2 * store.size())) {
            return;
        }
        out.snapshot(Wire.toBytes(new Snapshot(store.logs(), delivery.after(0, 0), committed.get(), delivery.incarnation(),
                forwards.state())));
        sinceSnapshot = 0;
    }

    /** Rebuilds the logs, replicas and forwards from what was synced, before the node starts. */
    Recovered recover(Stored stored, String self, LogStore store, ForwardedSends forwards) {
        long incarnation = 0;
        List<Appended> unacknowledged = new ArrayList<>();
        Map<String, Long> committed = new java.util.HashMap<>();
        if (stored.snapshot() != null) {
            Snapshot snapshot = Wire.fromBytes(stored.snapshot(), Snapshot.class);
            snapshot.logs().forEach((key, msgs) -> {
                for (int offset = 0; offset < msgs.size(); offset++) {
                    store.replicate(key, offset, msgs.get(offset));
                }
            });
            unacknowledged.addAll(snapshot.unacknowledged());
            committed.putAll(snapshot.committed());
            incarnation = snapshot.incarnation();
            forwards.restore(snapshot.forwards());
        }
        for (byte[] record : stored.records()) {
            Entry entry = Wire.fromBytes(record, Entry.class);
            sinceSnapshot++;
            if (entry.owner() != null) {
                store.replicate(entry.key(), entry.offset(), entry.msg());
            } else if (entry.key() != null) {
                long offset = store.append(entry.key(), entry.msg());
                if (offset != entry.offset()) {
                    throw new IllegalStateException(self + " recovered " + entry.key() + " at offset " + offset + ", not " + entry.offset());
                }
                unacknowledged.add(new Appended(entry.key(), offset, entry.msg())); // offered again: replicas skip what they hold
                if (entry.forwarder() != null) {
                    forwards.recovered(entry.forwarder(), entry.incarnation(), entry.msgId(), offset);
                }
            } else if (entry.commit() != null) {
                entry.commit().forEach((key, offset) -> committed.merge(key, offset, Math::max));
            } else {
                incarnation = Math.max(incarnation, entry.incarnation());
            }
        }
        return new Recovered(incarnation, committed, unacknowledged);
    }


}
