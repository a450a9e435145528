package dev.glomers.raft;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.glomers.node.Wire;
import dev.glomers.raft.RaftMessages.InstallSnapshot;
import dev.glomers.raft.RaftMessages.SnapshotAck;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * InstallSnapshot in chunks, both sides. The leader sends a follower its latest snapshot's text one chunk at
 * a time: the next chunk when the follower acknowledges the last, the same one again after a heartbeat
 * interval without an answer (a lost chunk or acknowledgement). The follower keeps the chunks that continue
 * what it holds, ignores the others, and always answers how much it holds, so either side may lose, repeat
 * or reorder messages. The last acknowledgement says the snapshot is installed (and synced when durable):
 * the leader goes on with appends after it.
 */
final class SnapshotTransfer {

    /**
     * A snapshot on its way to one follower: what the follower confirmed, and the chunk in flight. It stays the
     * one sent until the follower has it, even when a newer one is taken meanwhile: a transfer that started
     * over at every new snapshot might never end.
     */
    private static final class Outgoing {
        final Snapshot snapshot;
        final String text;
        long acked;
        long sentUpTo;
        long sentAt;

        Outgoing(Snapshot snapshot, String text) {
            this.snapshot = snapshot;
            this.text = text;
        }
    }

    /** A snapshot arriving from the leader. */
    private record Incoming(long term, long index, long lastTerm, StringBuilder text) {
    }

    /** What a chunk did at the follower: the snapshot it completed (else null), and the answer. */
    record Received(Snapshot complete, SnapshotAck ack) {
    }

    private final Compaction<?> compaction;
    private final long heartbeat;
    private final int chunkSize;
    private final Map<String, Outgoing> outgoing = new HashMap<>();
    private Snapshot textOf;
    private String text;
    private Incoming incoming;

    SnapshotTransfer(Compaction<?> compaction, long heartbeatMillis, int chunkSize) {
        this.compaction = compaction;
        this.heartbeat = heartbeatMillis;
        this.chunkSize = chunkSize;
    }

    // ---- the leader's side ---------------------------------------------------------------------

    /**
     * The follower needs entries our log no longer holds: the next chunk of the snapshot to send it, or null
     * while one is in flight and not yet overdue. It goes the ways an append to it would ({@link Replicator}),
     * and {@code relay} asks the follower to answer around us too, as an append does.
     */
    InstallSnapshot nextChunk(FollowerProgress f, long term, Boolean relay, long now) {
        Outgoing o = outgoing.get(f.id);
        if (o == null) {
            o = new Outgoing(compaction.latest(), textOf(compaction.latest()));
            outgoing.put(f.id, o);
        }
        Snapshot snapshot = o.snapshot;
        String text = o.text;
        if (o.sentUpTo > o.acked && now - o.sentAt < heartbeat) {
            return null; // a chunk is on its way
        }
        int from = (int) Math.min(o.acked, text.length());
        int to = Math.min(text.length(), from + chunkSize);
        o.sentUpTo = Math.max(to, from + 1); // an empty snapshot text still waits for its acknowledgement
        o.sentAt = now;
        return new InstallSnapshot(term, snapshot.index(), snapshot.term(), from, text.substring(from, to), text.length(), relay);
    }

    /**
     * The follower's answer; true when its match advanced (it installed the snapshot: the commit may move).
     * Either way the follower is due its next message at once when the answer moved the transfer on.
     */
    boolean acknowledged(FollowerProgress f, SnapshotAck ack, long now) {
        Outgoing o = outgoing.get(f.id);
        if (ack.done()) {
            if (o != null && o.snapshot.index() <= ack.index()) {
                outgoing.remove(f.id);
            }
            f.next = Math.max(f.next, ack.index() + 1);
            f.markUrgent(now);
            if (ack.index() > f.match) {
                f.match = ack.index();
                return true;
            }
            return false;
        }
        // The chunk in flight landed, or the follower holds less than we thought (it restarted): go on from
        // what it holds. An older acknowledgement (a duplicate, a late one) changes nothing.
        if (o != null && o.snapshot.index() == ack.index() && (ack.received() >= o.sentUpTo || ack.received() < o.acked)) {
            o.acked = ack.received();
            o.sentUpTo = o.acked;
            f.markUrgent(now);
        }
        return false;
    }

    /** We no longer lead: transfers end. */
    void stop() {
        outgoing.clear();
    }

    private String textOf(Snapshot snapshot) {
        if (textOf != snapshot) {
            try {
                text = Wire.JSON.writeValueAsString(snapshot.image());
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
            textOf = snapshot;
        }
        return text;
    }

    // ---- the follower's side -------------------------------------------------------------------

    /**
     * A chunk from the leader of {@code term}. Nothing to install when the snapshot is no news (we already
     * committed its index): it counts as installed.
     */
    Received receive(InstallSnapshot chunk, long term, long commitIndex) {
        if (chunk.index() <= commitIndex) {
            incoming = null;
            return new Received(null, new SnapshotAck(term, chunk.index(), chunk.size(), true));
        }
        if (incoming == null || incoming.term() != term || incoming.index() != chunk.index() || incoming.lastTerm() != chunk.lastTerm()) {
            if (chunk.offset() != 0) {
                return new Received(null, new SnapshotAck(term, chunk.index(), 0, false)); // from the start, please
            }
            incoming = new Incoming(term, chunk.index(), chunk.lastTerm(), new StringBuilder());
        }
        StringBuilder text = incoming.text();
        if (chunk.offset() == text.length()) {
            text.append(chunk.data());
        }
        if (text.length() < chunk.size()) {
            return new Received(null, new SnapshotAck(term, chunk.index(), text.length(), false));
        }
        Snapshot complete;
        try {
            complete = new Snapshot(chunk.index(), chunk.lastTerm(), Wire.JSON.readTree(text.toString()));
        } catch (JsonProcessingException e) {
            incoming = null; // cannot happen between our nodes; start over rather than install garbage
            return new Received(null, new SnapshotAck(term, chunk.index(), 0, false));
        }
        incoming = null;
        return new Received(complete, new SnapshotAck(term, chunk.index(), chunk.size(), true));
    }
}
