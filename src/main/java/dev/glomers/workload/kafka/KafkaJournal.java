package dev.glomers.workload.kafka;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glomers.delivery.Delivery;
import dev.glomers.node.Effects;
import dev.glomers.node.Wire;
import dev.glomers.storage.Stored;
import dev.glomers.workload.kafka.KafkaCore.Appended;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a kafka node keeps on disk when it has a data directory (docs/kafka.md, Durability): a record per
 * message it appended as owner (with the forward it answered, if any), per message it took into a replica
 * (with the owner's seq), per commit it acknowledged, and its incarnation; now and then a snapshot of it
 * all. Persist before send does the rest: send_ok, a forward's answer, a replica's acknowledgement and
 * commit_offsets_ok all leave only once what they depend on is synced.
 */
final class KafkaJournal {

    /** A snapshot is taken once the records since the last one outnumber this, or twice the messages held. */
    static final int MIN_RECORDS_PER_SNAPSHOT = 4096;

    /**
     * One record: an own append ({@code key}, {@code offset}, {@code msg}; {@code peer}, {@code incarnation},
     * {@code msgId} name the forward it answered), a replica's message (the same plus the owner {@code peer}
     * and its {@code seq}), a commit ({@code commit}), or this node's incarnation alone.
     */
    record Entry(String key, Long offset, JsonNode msg, String peer, Long seq, Long incarnation, Long msgId,
                 Map<String, Long> commit) {
    }

    /** Everything: every key's log (owned or replica), this node's delivery log as far as a peer may lack it, and the rest. */
    record Snapshot(Map<String, List<JsonNode>> logs, long ownLast, List<Appended> retained, Map<String, Long> held,
                    Map<String, Long> committed, long incarnation, Map<String, ForwardedSends.PeerState> forwards) {
    }

    /** What a restart hands back to the core besides the state it rebuilt in place. */
    record Recovered(long incarnation, Map<String, Long> committed) {
    }

    /** The wire's mapper, except that a field left out (null) is read as null: records leave nulls out. */
    static final ObjectMapper JSON = Wire.JSON.copy()
            .disable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES);

    private int sinceSnapshot;

    void own(Appended appended, String forwarder, Long incarnation, Long msgId, Effects out) {
        persist(new Entry(appended.key(), appended.offset(), appended.msg(), forwarder, null, incarnation, msgId, null), out);
    }

    void replica(String owner, long seq, Appended appended, Effects out) {
        persist(new Entry(appended.key(), appended.offset(), appended.msg(), owner, seq, null, null, null), out);
    }

    void commit(Map<String, Long> offsets, Effects out) {
        persist(new Entry(null, null, null, null, null, null, null, offsets), out);
    }

    void incarnation(long incarnation, Effects out) {
        persist(new Entry(null, null, null, null, null, incarnation, null, null), out);
    }

    private void persist(Entry entry, Effects out) {
        out.persist(encode(entry));
        sinceSnapshot++;
    }

    /** At the end of a step: a snapshot once the records since the last one outnumber twice the messages held. */
    void snapshotIfDue(LogStore store, Delivery<Appended> delivery, Map<String, Long> committed, long incarnation,
                       ForwardedSends forwards, Effects out) {
        if (sinceSnapshot <= Math.max(MIN_RECORDS_PER_SNAPSHOT, 2 * store.size())) {
            return;
        }
        Map<String, Long> held = new HashMap<>();
        delivery.peers().forEach(peer -> held.put(peer, delivery.held(peer, 0)));
        out.snapshot(encode(new Snapshot(store.logs(), delivery.last(0), delivery.after(0, 0), held,
                committed, incarnation, forwards.state())));
        sinceSnapshot = 0;
    }

    /** Rebuilds the logs, replicas, delivery logs and forwards from what was synced, before the node starts. */
    Recovered recover(Stored stored, String self, LogStore store, Delivery<Appended> delivery, ForwardedSends forwards) {
        long ownLast = 0;
        long incarnation = 0;
        List<Appended> retained = new ArrayList<>();
        Map<String, Long> held = new HashMap<>();
        Map<String, Long> committed = new HashMap<>();
        if (stored.snapshot() != null) {
            Snapshot snapshot = decode(stored.snapshot(), Snapshot.class);
            snapshot.logs().forEach((key, msgs) -> {
                for (int offset = 0; offset < msgs.size(); offset++) {
                    store.replicate(key, offset, msgs.get(offset));
                }
            });
            ownLast = snapshot.ownLast();
            retained.addAll(snapshot.retained());
            held.putAll(snapshot.held());
            committed.putAll(snapshot.committed());
            incarnation = snapshot.incarnation();
            forwards.restore(snapshot.forwards());
        }
        for (byte[] record : stored.records()) {
            Entry entry = decode(record, Entry.class);
            sinceSnapshot++;
            if (entry.seq() != null) {
                store.replicate(entry.key(), entry.offset(), entry.msg());
                held.merge(entry.peer(), entry.seq(), Math::max);
            } else if (entry.key() != null) {
                long offset = store.append(entry.key(), entry.msg());
                if (offset != entry.offset()) {
                    throw new IllegalStateException(self + " recovered " + entry.key() + " at offset " + offset + ", not " + entry.offset());
                }
                ownLast++;
                retained.add(new Appended(entry.key(), offset, entry.msg()));
                if (entry.peer() != null) {
                    forwards.recovered(entry.peer(), entry.incarnation(), entry.msgId(), offset);
                }
            } else if (entry.commit() != null) {
                entry.commit().forEach((key, offset) -> committed.merge(key, offset, Math::max));
            } else {
                incarnation = Math.max(incarnation, entry.incarnation());
            }
        }
        delivery.resume(0, ownLast, retained);
        held.forEach((peer, seq) -> {
            if (delivery.isPeer(peer)) {
                delivery.resumeHeld(peer, 0, seq);
            }
        });
        return new Recovered(incarnation, committed);
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
            throw new UncheckedIOException("unreadable kafka record", e);
        }
    }
}
