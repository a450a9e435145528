package dev.glomers.workload.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The owner's side of forwarded sends: each forward is stored once however often the network delivers it.
 * A forward names the oldest forward its sender still waits for ({@code awaited}), so the owner answers a
 * duplicate with the offset its first copy got, drops a copy nobody waits for any more, and keeps only the
 * answers still awaited.
 *
 * <p>A durable sender's msg_ids start again after a restart, so its forwards also carry its incarnation
 * (null without a data directory): a forward of a newer incarnation starts that peer afresh, one of an
 * older incarnation is a stale copy and dropped.
 */
final class ForwardedSends {

    /** One peer's forwards as this owner knows them. */
    record PeerState(long incarnation, long awaitedFrom, TreeMap<Long, Long> answered) {
    }

    private final Map<String, PeerState> peers = new HashMap<>();

    /**
     * The offset for {@code peer}'s forward {@code msgId}: the one its first copy got, or a new one from
     * {@code append}; null for a copy nobody waits for any more, which is dropped.
     */
    Long offsetFor(String peer, Long incarnation, long msgId, long awaited, LongSupplier append) {
        long of = incarnation == null ? 0 : incarnation;
        PeerState state = peers.get(peer);
        if (state == null || of > state.incarnation()) {
            state = new PeerState(of, 0, new TreeMap<>());
        } else if (of < state.incarnation()) {
            return null;
        }
        state = new PeerState(of, Math.max(state.awaitedFrom(), awaited), state.answered());
        peers.put(peer, state);
        state.answered().headMap(state.awaitedFrom()).clear();
        if (msgId < state.awaitedFrom()) {
            return null;
        }
        Long known = state.answered().get(msgId);
        if (known != null) {
            return known;
        }
        long offset = append.getAsLong();
        state.answered().put(msgId, offset);
        return offset;
    }

    /** What a snapshot keeps, and a restart restores. */
    Map<String, PeerState> state() {
        Map<String, PeerState> copy = new HashMap<>();
        peers.forEach((peer, state) -> copy.put(peer, new PeerState(state.incarnation(), state.awaitedFrom(), new TreeMap<>(state.answered()))));
        return copy;
    }

    void restore(Map<String, PeerState> state) {
        state.forEach((peer, peerState) -> peers.put(peer, new PeerState(peerState.incarnation(), peerState.awaitedFrom(),
                new TreeMap<>(peerState.answered()))));
    }

    /** A recovered append that answered {@code peer}'s forward: a later copy of it gets the same offset. */
    void recovered(String peer, Long incarnation, long msgId, long offset) {
        offsetFor(peer, incarnation, msgId, 0, () -> offset);
    }
}
