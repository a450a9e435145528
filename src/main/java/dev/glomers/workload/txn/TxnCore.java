package dev.glomers.workload.txn;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.glomers.delivery.Delivery;
import dev.glomers.delivery.Parcel;
import dev.glomers.delivery.Slice;
import dev.glomers.node.Body;
import dev.glomers.node.Core;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.storage.Stored;
import dev.glomers.workload.txn.TxnStore.Committed;
import dev.glomers.workload.txn.TxnStore.Write;
import io.github.resilience4j.retry.Retry;
import java.util.ArrayList;
import java.util.List;

/**
 * The txn-rw-register algorithm as a pure core: every transaction runs on the node that received it,
 * at once ({@link TxnStore}); committed write sets go to every peer through the one delivery
 * primitive ({@link Delivery}, one log per node: its own transactions in commit order).
 *
 * <p>Timing rules, all functions of the {@code now} given:
 * <ul>
 * <li><b>Batches.</b> The first transaction committed after a batch went out opens the next one, which
 *     goes to every peer that is not suspect {@code batch-interval} later, carrying all that peer was
 *     never sent (up to {@code max-batch}) and this node's acknowledgement of the peer's transactions.
 *     An idle node sends nothing.</li>
 * <li><b>Acknowledgements, suspicion, redelivery</b> are the primitive's: an acknowledgement rides on
 *     the next batch the other way, or goes bare after {@code ack-delay}; a batch not acknowledged within
 *     {@code ack-timeout} makes the peer suspect (no regular batches to it) and everything it lacks is
 *     sent again at the pace of the {@code txn-replicate} policy, until it acknowledges.</li>
 * </ul>
 */
final class TxnCore implements Core {

    private static final long NEVER = Long.MAX_VALUE;

    record TxnRequest(JsonNode txn) {
    }

    record TxnOk(ArrayNode txn) implements Body {
        @Override
        public String type() {
            return "txn_ok";
        }
    }

    /** One committed transaction on the wire: its origin's seq, Lamport clock and writes as [[key, value], ...]. */
    record ReplicatedTxn(long seq, long clock, ArrayNode writes) {
    }

    /**
     * A batch for one peer (possibly empty: a bare acknowledgement) with the acknowledgement of that peer's
     * transactions; with a data directory also the delivery's incarnations and floors (left out when 0 or empty).
     */
    record Replicate(List<ReplicatedTxn> txns, long ack,
                     @JsonInclude(JsonInclude.Include.NON_DEFAULT) long incarnation,
                     @JsonInclude(JsonInclude.Include.NON_DEFAULT) long peerIncarnation,
                     @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Long> floors) implements Body {
        @Override
        public String type() {
            return "txn_replicate";
        }
    }

    private final TxnStore store;
    private final Delivery<Committed> delivery;
    private final long batchInterval;
    private final TxnJournal journal;
    private TxnJournal.Recovered recovered;
    private long batchAt = NEVER;

    TxnCore(String self, List<String> nodeIds, TxnProperties settings, Retry redelivery) {
        List<String> peers = nodeIds.stream().filter(id -> !id.equals(self)).toList();
        this.store = new TxnStore(self);
        this.delivery = new Delivery<>(peers, List.of(peers),
                new Delivery.Timing(settings.ackDelay().toMillis(), settings.ackTimeout().toMillis(), settings.maxBatch()),
                redelivery);
        this.batchInterval = settings.batchInterval().toMillis();
        this.journal = new TxnJournal(self);
    }

    @Override
    public void receive(Message message, long now, Effects out) {
        switch (message.type()) {
            case "txn" -> {
                TxnStore.Outcome outcome = store.execute(MicroOp.parseAll(Wire.read(message.body(), TxnRequest.class).txn()));
                if (outcome.committed() != null) {
                    delivery.append(0, outcome.committed());
                    if (out.durable()) {
                        journal.own(outcome.committed(), out); // synced before txn_ok leaves
                    }
                }
                out.reply(message, new TxnOk(MicroOp.toJson(outcome.completed())));
            }
            case "txn_replicate" -> {
                String peer = message.src();
                if (!delivery.isPeer(peer)) {
                    throw RpcError.malformed("txn_replicate from " + peer + ", which is not a peer");
                }
                Parcel<Committed> parcel = fromWire(peer, readReplicate(message.body()));
                for (Committed committed : delivery.receive(peer, parcel, now).fresh(0)) {
                    store.merge(committed); // idempotent: around a restart a transaction can come again
                    if (out.durable()) {
                        journal.peer(committed, out); // synced before our acknowledgement leaves
                    }
                }
            }
            default -> throw RpcError.notSupported(message.type());
        }
        if (out.durable()) {
            journal.snapshotIfDue(store, delivery, out);
        }
        openBatch(now);
    }

    /** A restarted node: its registers and clock as synced; replication resumes from there in {@link #start}. */
    @Override
    public void recover(Stored stored) {
        recovered = journal.recover(stored, store);
    }

    /**
     * With a data directory: a new incarnation, synced before anything of this run leaves, and after a restart
     * its own transactions that peers may lack offered again (they apply each once) and shown to every peer at
     * once, so they resend what this node lost rather than after their deadline.
     */
    @Override
    public void start(long now, Effects out) {
        if (!out.durable()) {
            return;
        }
        long incarnation = recovered == null ? 1 : recovered.incarnation() + 1;
        delivery.incarnate(incarnation);
        journal.incarnation(incarnation, out);
        if (recovered != null) {
            recovered.unacknowledged().forEach(committed -> delivery.append(0, committed));
            delivery.announce();
            recovered = null;
            openBatch(now);
        }
    }

    @Override
    public void tick(long now, Effects out) {
        delivery.tick(now, (peer, parcel) -> out.send(peer, toWire(parcel)));
        if (now >= batchAt) {
            batchAt = NEVER;
            for (String peer : delivery.peers()) {
                if (delivery.hasUnsent(peer) && !delivery.isSuspect(peer)) {
                    out.send(peer, toWire(delivery.next(peer, now)));
                }
            }
        }
        openBatch(now);
    }

    /** A batch opens when some peer that is not suspect lacks what it was never sent, unless one is open. */
    private void openBatch(long now) {
        if (batchAt == NEVER && delivery.peers().stream().anyMatch(peer -> delivery.hasUnsent(peer) && !delivery.isSuspect(peer))) {
            batchAt = now + batchInterval;
        }
    }

    /** The registers (for tests that compare a node's state before a crash and after its restart). */
    TxnStore store() {
        return store;
    }

    @Override
    public long wakeAt() {
        // After announce() the delivery asks for Long.MIN_VALUE; the driver's "wake - now" must not overflow.
        return Math.min(batchAt, Math.max(0, delivery.wakeAt()));
    }

    // ---- the wire ----------------------------------------------------------------------------

    private static Replicate toWire(Parcel<Committed> parcel) {
        Slice<Committed> slice = parcel.slice(0);
        List<ReplicatedTxn> txns = new ArrayList<>(slice.entries().size());
        long seq = slice.from();
        for (Committed committed : slice.entries()) {
            txns.add(new ReplicatedTxn(seq++, committed.version().clock(), TxnJournal.writesToJson(committed.writes())));
        }
        return new Replicate(txns, parcel.ack(0), parcel.incarnation(), parcel.peerIncarnation(), parcel.floors());
    }

    /** A peer's batch as a parcel: its transactions carry consecutive seqs, and every version names that peer. */
    private static Parcel<Committed> fromWire(String peer, Replicate body) {
        List<ReplicatedTxn> txns = body.txns() == null ? List.of() : body.txns();
        long from = txns.isEmpty() ? 1 : txns.get(0).seq();
        List<Committed> entries = new ArrayList<>(txns.size());
        for (ReplicatedTxn txn : txns) {
            if (txn.seq() != from + entries.size() || txn.writes() == null) {
                throw RpcError.malformed("txn_replicate from " + peer + " is not a run of consecutive seqs with writes");
            }
            entries.add(new Committed(new Version(txn.clock(), peer), writesOf(txn.writes())));
        }
        return new Parcel<>(List.of(new Slice<>(from, entries)), List.of(body.ack()), body.incarnation(), body.peerIncarnation(),
                body.floors());
    }

    /** Incarnations and floors may be absent (a node without a data directory leaves them out). */
    private static Replicate readReplicate(com.fasterxml.jackson.databind.node.ObjectNode body) {
        try {
            return Wire.LENIENT.treeToValue(body, Replicate.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw RpcError.malformed("malformed txn_replicate: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static List<Write> writesOf(ArrayNode json) {
        List<Write> writes = new ArrayList<>(json.size());
        for (JsonNode pair : json) {
            if (!pair.isArray() || pair.size() != 2) {
                throw RpcError.malformed("a replicated write is [key, value], got " + pair);
            }
            writes.add(new Write(pair.get(0), pair.get(1)));
        }
        return writes;
    }
}
