package dev.glomers.workload.broadcast;

import dev.glomers.node.Effects;
import dev.glomers.storage.Stored;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What a broadcast node keeps in its data directory, only when it has one: its incarnation and every value
 * it holds. A record is the values a step learnt (persisted before anything that step sends: the
 * acknowledgement, the relay, a read that shows them); the snapshot is the incarnation and all values,
 * taken at start and whenever the records since the last one outgrow the values themselves, so the log
 * stays within about twice the state.
 */
final class Journal {

    /** Records of fewer values than this never call for a snapshot (a small node rewrites nothing). */
    private static final int MIN_VALUES_BEFORE_SNAPSHOT = 1024;

    /** What an earlier run left: its incarnation (0: none recorded) and its values, in the order learnt. */
    record Recovered(long incarnation, List<Long> values) {
    }

    private final long incarnation;
    /** Values persisted in records since the last snapshot. */
    private long logged;

    /** This run: the incarnation after the one recovered. */
    Journal(long recoveredIncarnation) {
        this.incarnation = recoveredIncarnation + 1;
    }

    long incarnation() {
        return incarnation;
    }

    static Recovered read(Stored stored) {
        long incarnation = 0;
        List<Long> values = new ArrayList<>();
        if (stored.snapshot() != null) {
            ByteBuffer snapshot = ByteBuffer.wrap(stored.snapshot());
            incarnation = snapshot.getLong();
            while (snapshot.hasRemaining()) {
                values.add(snapshot.getLong());
            }
        }
        for (byte[] record : stored.records()) {
            ByteBuffer learnt = ByteBuffer.wrap(record);
            while (learnt.hasRemaining()) {
                values.add(learnt.getLong());
            }
        }
        return new Recovered(incarnation, values);
    }

    /** The start of this run: its incarnation and the values recovered, in one snapshot (before anything is sent). */
    void begin(Collection<Long> values, Effects out) {
        snapshot(values, out);
    }

    /** Values a step learnt, before that step sends anything; {@code all} is every value now held (for a snapshot). */
    void learnt(List<Long> learnt, Collection<Long> all, Effects out) {
        if (learnt.isEmpty()) {
            return;
        }
        logged += learnt.size();
        if (logged > Math.max(MIN_VALUES_BEFORE_SNAPSHOT, all.size())) {
            snapshot(all, out);
            return;
        }
        ByteBuffer record = ByteBuffer.allocate(Long.BYTES * learnt.size());
        learnt.forEach(record::putLong);
        out.persist(record.array());
    }

    private void snapshot(Collection<Long> values, Effects out) {
        ByteBuffer state = ByteBuffer.allocate(Long.BYTES * (1 + values.size()));
        state.putLong(incarnation);
        values.forEach(state::putLong);
        out.snapshot(state.array());
        logged = 0;
    }
}
