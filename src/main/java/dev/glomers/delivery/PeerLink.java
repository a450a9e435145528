package dev.glomers.delivery;

import dev.glomers.retry.Backoff;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/** Everything {@link Delivery} knows about one peer: our logs as it was sent and acknowledged them, its logs as we hold them, the timers. */
final class PeerLink<T> {

    static final long NEVER = Long.MAX_VALUE;

    final long[] sent;
    final long[] acked;
    final long[] held;
    final List<TreeMap<Long, T>> early = new ArrayList<>();
    final Backoff backoff;
    /** The peer's incarnation as we last saw it (0: none seen, or a peer that never restarts). */
    long incarnation;
    /** The peer restarted and may not know yet what it acknowledged before: parcels carry floors. */
    boolean floorsOwed;
    /** When a bare acknowledgement is due (an acknowledgement is owed), or NEVER. */
    long bareAckAt = NEVER;
    /** What the running attempt waits to see acknowledged, and by when (NEVER when none waits). */
    long[] target;
    long ackDueAt = NEVER;
    /** When the next redelivery goes out after a missed deadline, or NEVER. */
    long redeliverAt = NEVER;
    boolean suspect;

    PeerLink(int logs, Backoff backoff) {
        sent = new long[logs];
        acked = new long[logs];
        held = new long[logs];
        this.backoff = backoff;
    }

    boolean awaitsAck() {
        for (int log = 0; log < sent.length; log++) {
            if (sent[log] > acked[log]) {
                return true;
            }
        }
        return false;
    }

    TreeMap<Long, T> early(int log) {
        while (early.size() <= log) {
            early.add(new TreeMap<>());
        }
        return early.get(log);
    }

    /**
     * The peer came back as a new incarnation: its logs start again from seq 1, and it holds of ours only
     * what it acknowledged (its core persisted that before the acknowledgement left); so we go back there,
     * tell it so in floors, and it is alive: no suspicion, no running attempt.
     */
    void restarted(long newIncarnation) {
        incarnation = newIncarnation;
        Arrays.fill(held, 0);
        early.clear();
        System.arraycopy(acked, 0, sent, 0, sent.length);
        floorsOwed = Arrays.stream(acked).anyMatch(seq -> seq > 0);
        target = null;
        ackDueAt = NEVER;
        redeliverAt = NEVER;
        suspect = false;
        backoff.succeeded();
    }

    List<Long> floors() {
        if (!floorsOwed) {
            return List.of();
        }
        return Arrays.stream(acked).boxed().toList();
    }
}
