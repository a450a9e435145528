package dev.glomers.workload.txn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.glomers.node.Body;
import dev.glomers.node.Message;
import dev.glomers.node.Node;
import dev.glomers.node.RpcError;
import dev.glomers.retry.Retries;
import dev.glomers.workload.txn.ReplicationLog.Entry;
import dev.glomers.workload.txn.TxnStore.Committed;
import dev.glomers.workload.txn.TxnStore.Write;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Profile;

/**
 * Parts 6a-6c: totally available read-committed transactions over read/write registers.
 *
 * <p>A node answers every transaction from its own state at once ({@link TxnStore}), so partitions
 * never cost availability. It replicates only committed write sets, in batches: every
 * {@code glomers.txn.batch-interval} it sends each peer what that peer has not acknowledged yet
 * ({@link ReplicationLog}). The delivery of a batch is one Resilience4j retry (policy
 * {@code txn-replicate}): an attempt sends the batch and succeeds when the peer's acknowledgement
 * covers it, which rides on the peer's own next batch; no acknowledgement within
 * {@code glomers.txn.ack-timeout} fails the attempt and the policy sends again (with what is
 * missing by then). So a partitioned peer catches up within one retry wait after healing.
 */
@Profile("txn-rw-register")
public class TxnWorkload {

    private static final Logger log = LoggerFactory.getLogger(TxnWorkload.class);
    static final String REPLICATE_POLICY = "txn-replicate";

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

    /** A batch for one peer (possibly empty) with the acknowledgement of that peer's transactions. */
    record Replicate(List<ReplicatedTxn> txns, long ack) implements Body {
        @Override
        public String type() {
            return "txn_replicate";
        }
    }

    /** A delivery attempt waiting for the peer to acknowledge up to {@code seq}. */
    private record AckWaiter(long seq, CompletableFuture<Void> acked) {
    }

    private final Node node;
    private final Retries retries;
    private final Duration ackTimeout;
    private final int maxBatch;
    private final Set<String> delivering = new HashSet<>();
    private final Map<String, List<AckWaiter>> waiters = new HashMap<>();
    private TxnStore store;
    private ReplicationLog replication;

    public TxnWorkload(Node node, Retries retries,
                       @Value("${glomers.txn.batch-interval}") Duration batchInterval,
                       @Value("${glomers.txn.ack-timeout}") Duration ackTimeout,
                       @Value("${glomers.txn.max-batch}") int maxBatch) {
        this.node = node;
        this.retries = retries;
        this.ackTimeout = ackTimeout;
        this.maxBatch = maxBatch;
        retries.policy(REPLICATE_POLICY); // a missing policy fails start-up, not the first partition
        node.onInit(() -> {
            store = new TxnStore(node.id());
            replication = new ReplicationLog(node.peers());
            node.peers().forEach(peer -> waiters.put(peer, new ArrayList<>()));
            if (!node.peers().isEmpty()) {
                node.every(batchInterval, this::flush);
            }
        });
        node.handle("txn", TxnRequest.class, this::txn);
        node.handle("txn_replicate", Replicate.class, this::replicate);
    }

    private void txn(Message request, TxnRequest body) {
        TxnStore.Outcome outcome = store.execute(MicroOp.parseAll(body.txn()));
        if (outcome.committed() != null) {
            replication.append(outcome.committed());
        }
        node.reply(request, new TxnOk(MicroOp.toJson(outcome.completed())));
    }

    private void replicate(Message message, Replicate body) {
        String peer = message.src();
        if (!waiters.containsKey(peer)) {
            throw RpcError.malformed("txn_replicate from " + peer + ", which is not a peer");
        }
        List<Entry> entries = new ArrayList<>(body.txns().size());
        for (ReplicatedTxn txn : body.txns()) {
            entries.add(new Entry(txn.seq(), new Committed(new Version(txn.clock(), peer), writesOf(txn.writes()))));
        }
        for (Entry fresh : replication.receive(peer, entries, body.ack())) {
            store.merge(fresh.committed());
        }
        long acked = replication.ackedBy(peer);
        waiters.get(peer).removeIf(waiter -> waiter.seq() <= acked && waiter.acked().complete(null));
    }

    /** Each tick, per peer: start a delivery if it misses something, else settle an owed acknowledgement. */
    private void flush() {
        for (String peer : node.peers()) {
            if (!delivering.contains(peer) && replication.hasUnacked(peer)) {
                deliver(peer);
            } else if (replication.owesAck(peer)) {
                node.send(peer, new Replicate(List.of(), replication.takeAck(peer)));
            }
        }
    }

    private void deliver(String peer) {
        delivering.add(peer);
        retries.run(REPLICATE_POLICY, () -> attempt(peer)).whenComplete((done, failure) -> {
            delivering.remove(peer);
            if (failure != null) {
                log.warn("replication to {} gave up for now: {}", peer, failure.getMessage());
            }
        });
    }

    private CompletionStage<Void> attempt(String peer) {
        List<Entry> batch = replication.unacked(peer, maxBatch);
        if (batch.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<ReplicatedTxn> txns = new ArrayList<>(batch.size());
        for (Entry entry : batch) {
            txns.add(new ReplicatedTxn(entry.seq(), entry.committed().version().clock(), toJson(entry.committed().writes())));
        }
        node.send(peer, new Replicate(txns, replication.takeAck(peer)));
        AckWaiter waiter = new AckWaiter(batch.get(batch.size() - 1).seq(), new CompletableFuture<>());
        waiters.get(peer).add(waiter);
        node.after(ackTimeout, () -> {
            if (waiters.get(peer).remove(waiter)) {
                waiter.acked().completeExceptionally(RpcError.timeout(
                        "no acknowledgement from " + peer + " up to seq " + waiter.seq() + " within " + ackTimeout.toMillis() + " ms"));
            }
        });
        return waiter.acked();
    }

    private static ArrayNode toJson(List<Write> writes) {
        ArrayNode json = JsonNodeFactory.instance.arrayNode(writes.size());
        writes.forEach(write -> json.addArray().add(write.key()).add(write.value()));
        return json;
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
