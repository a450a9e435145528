package dev.glomers.workload.txn;

import dev.glomers.workload.txn.TxnStore.Committed;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who has which committed transactions: the pure bookkeeping of replication (no threads, no timers).
 *
 * <p>Every transaction this node commits with writes gets the next sequence number and waits in the
 * outbox until every peer acknowledged it. A peer acknowledges cumulatively: "I applied all of your
 * transactions up to seq N". Acknowledgements ride on the messages a node sends anyway; when it owes
 * a peer an acknowledgement and has nothing to send, the driver sends the acknowledgement alone.
 * A batch always starts right after what the peer acknowledged, so a receiver applies a peer's
 * transactions in order, each once, and ignores what it already has (resends, reordered copies).
 */
public final class ReplicationLog {

    /** One committed transaction of this node, numbered in commit order. */
    public record Entry(long seq, Committed committed) {
    }

    private final ArrayDeque<Entry> outbox = new ArrayDeque<>();
    private final Map<String, Long> ackedBy = new HashMap<>();
    private final Map<String, Long> receivedFrom = new HashMap<>();
    private final Set<String> ackOwed = new HashSet<>();
    private final List<String> peers;
    private long lastSeq;

    public ReplicationLog(Collection<String> peers) {
        this.peers = List.copyOf(peers);
        for (String peer : peers) {
            ackedBy.put(peer, 0L);
            receivedFrom.put(peer, 0L);
        }
    }

    /** Queues a transaction this node committed for every peer. Without peers there is nothing to keep. */
    public Entry append(Committed committed) {
        Entry entry = new Entry(++lastSeq, committed);
        if (!peers.isEmpty()) {
            outbox.addLast(entry);
        }
        return entry;
    }

    public boolean hasUnacked(String peer) {
        return lastSeq > ackedBy.get(peer);
    }

    /** What the peer still misses, oldest first, at most {@code max} entries. */
    public List<Entry> unacked(String peer, int max) {
        long acked = ackedBy.get(peer);
        List<Entry> batch = new ArrayList<>();
        for (Entry entry : outbox) {
            if (batch.size() >= max) {
                break;
            }
            if (entry.seq() > acked) {
                batch.add(entry);
            }
        }
        return batch;
    }

    /**
     * Takes a peer's message: its entries (possibly none, possibly old) and its acknowledgement of
     * ours. Returns the entries to apply now, in order, each exactly once over the log's lifetime.
     * Every message from a peer, even a duplicate, makes us owe it an acknowledgement: its copy of
     * our last one may have been lost.
     */
    public List<Entry> receive(String peer, List<Entry> entries, long ack) {
        Long received = receivedFrom.get(peer);
        if (received == null) {
            throw new IllegalArgumentException("not a peer: " + peer);
        }
        acknowledged(peer, ack);
        List<Entry> fresh = new ArrayList<>();
        long next = received + 1;
        for (Entry entry : entries) {
            // Only the next one in order: a gap would mean the sender skipped what we never acknowledged.
            if (entry.seq() == next) {
                fresh.add(entry);
                next++;
            }
        }
        receivedFrom.put(peer, next - 1);
        if (!entries.isEmpty()) {
            ackOwed.add(peer);
        }
        return fresh;
    }

    private void acknowledged(String peer, long ack) {
        if (ack <= ackedBy.get(peer)) {
            return;
        }
        ackedBy.put(peer, Math.min(ack, lastSeq));
        long everyone = peers.stream().mapToLong(ackedBy::get).min().orElse(lastSeq);
        while (!outbox.isEmpty() && outbox.peekFirst().seq() <= everyone) {
            outbox.removeFirst();
        }
    }

    public boolean owesAck(String peer) {
        return ackOwed.contains(peer);
    }

    /** The acknowledgement to put on the next message to {@code peer}; sending it settles what we owed. */
    public long takeAck(String peer) {
        ackOwed.remove(peer);
        return receivedFrom.get(peer);
    }

    public long ackedBy(String peer) {
        return ackedBy.get(peer);
    }

    public long receivedFrom(String peer) {
        return receivedFrom.get(peer);
    }

    /** Entries still waiting for some peer's acknowledgement. */
    public int backlog() {
        return outbox.size();
    }
}
