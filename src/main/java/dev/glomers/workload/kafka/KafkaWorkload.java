package dev.glomers.workload.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.kv.KeyDoesNotExistException;
import dev.glomers.kv.KvClient;
import dev.glomers.kv.KvClients;
import dev.glomers.node.Body;
import dev.glomers.node.Message;
import dev.glomers.node.Node;
import dev.glomers.node.RpcError;
import dev.glomers.retry.Retries;
import dev.glomers.workload.kafka.LogStore.Segment;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Profile;

/**
 * Parts 5a-5c: a Kafka-style log, one profile for one node or many.
 *
 * <ul>
 * <li>Each key has one owner ({@link Ownership}, the same on every node). The owner assigns offsets
 *     and keeps the log; a {@code send} reaching another node is forwarded to it (one round trip),
 *     or refused with the definite error 11 while the owner is known to be unreachable.</li>
 * <li>Owners push new messages to their peers on the sends they forward to them, or in batches of
 *     their own ({@code kafka_replicate}, redelivered under the {@code kafka-replicate} retry policy)
 *     when no forward went that way for a while, so every node answers {@code poll} for every key
 *     from its own memory: a replica is a gap-free prefix of the owner's log, only ever behind.</li>
 * <li>Committed offsets are acknowledged into this node's max-registers and written behind to one
 *     shared document in {@code lin-kv} by compare-and-set (policy {@code kafka-commit}: contention,
 *     a missing document and timeouts are retried). {@code list_committed_offsets} first writes this
 *     node's own commits, then answers with the document as lin-kv holds it at that moment, so the
 *     answers never go down anywhere in the cluster.</li>
 * </ul>
 * See docs/kafka.md for the trade-offs and the numbers.
 */
@Profile("kafka")
public class KafkaWorkload {

    private static final Logger log = LoggerFactory.getLogger(KafkaWorkload.class);
    /** The lin-kv key of the committed-offsets document. */
    static final String COMMITTED_KEY = "kafka-committed-offsets";

    // ---- client API ----
    record Send(String key, JsonNode msg) {
    }

    record SendOk(long offset) implements Body {
        @Override
        public String type() {
            return "send_ok";
        }
    }

    record Poll(Map<String, Long> offsets) {
    }

    record PollOk(Map<String, List<List<Object>>> msgs) implements Body {
        @Override
        public String type() {
            return "poll_ok";
        }
    }

    record CommitOffsets(Map<String, Long> offsets) {
    }

    record ListCommittedOffsets(List<String> keys) {
    }

    record ListCommittedOffsetsOk(Map<String, Long> offsets) implements Body {
        @Override
        public String type() {
            return "list_committed_offsets_ok";
        }
    }

    // ---- between nodes ----
    /**
     * A send forwarded to the key's owner, carrying what the owner lacks of the sender's own logs:
     * under load, replication rides on forwards and needs no messages of its own.
     */
    record ForwardedSend(String key, JsonNode msg, Map<String, Segment> logs) implements Body {
        @Override
        public String type() {
            return "kafka_send";
        }
    }

    /** The owner's answer: the offset, and the lengths of the replicas the carried logs extended. */
    record ForwardedSendOk(long offset, Map<String, Long> lengths) implements Body {
        @Override
        public String type() {
            return "kafka_send_ok";
        }
    }

    record Replicate(Map<String, Segment> logs) implements Body {
        @Override
        public String type() {
            return "kafka_replicate";
        }
    }

    record ReplicateOk(Map<String, Long> lengths) implements Body {
        @Override
        public String type() {
            return "kafka_replicate_ok";
        }
    }

    private final Node node;
    private final KvClient linKv;
    private final Retries retries;
    private final Duration rpcTimeout;
    private final Duration replicateInterval;
    private final Duration heartbeatInterval;
    private final Duration ownerSuspectAfter;
    private final int pollMaxPerKey;
    private final int pollMaxMessages;
    private final int replicateMaxPerKey;
    private final int replicateMaxKeys;

    private final CommittedOffsets committed = new CommittedOffsets();
    private LogStore store;
    /** Per peer: when it last answered us (nanoTime), and when we last sent it new messages (on a forward or in a batch). */
    private final Map<String, Long> lastHeard = new HashMap<>();
    private final Map<String, Long> lastReplicated = new HashMap<>();
    private final Set<String> replicating = new HashSet<>();
    /** Whether clients have started (one talked to us, or to a peer that talked to us); see {@link #started()}. */
    private boolean serving;
    private CompletableFuture<Map<String, Long>> flushing;

    public KafkaWorkload(Node node, KvClients kv, Retries retries,
            @Value("${glomers.kafka.rpc-timeout}") Duration rpcTimeout,
            @Value("${glomers.kafka.replicate-interval}") Duration replicateInterval,
            @Value("${glomers.kafka.heartbeat-interval}") Duration heartbeatInterval,
            @Value("${glomers.kafka.owner-suspect-after}") Duration ownerSuspectAfter,
            @Value("${glomers.kafka.commit-flush-interval}") Duration commitFlushInterval,
            @Value("${glomers.kafka.poll-max-per-key}") int pollMaxPerKey,
            @Value("${glomers.kafka.poll-max-messages}") int pollMaxMessages,
            @Value("${glomers.kafka.replicate-max-per-key}") int replicateMaxPerKey,
            @Value("${glomers.kafka.replicate-max-keys}") int replicateMaxKeys) {
        this.node = node;
        this.linKv = kv.lin();
        this.retries = retries;
        this.rpcTimeout = rpcTimeout;
        this.replicateInterval = replicateInterval;
        this.heartbeatInterval = heartbeatInterval;
        this.ownerSuspectAfter = ownerSuspectAfter;
        this.pollMaxPerKey = pollMaxPerKey;
        this.pollMaxMessages = pollMaxMessages;
        this.replicateMaxPerKey = replicateMaxPerKey;
        this.replicateMaxKeys = replicateMaxKeys;
        // Fail at start-up, not at the first commit, if a policy is missing from application.yml.
        retries.policy("kafka-commit");
        retries.policy("kafka-replicate");

        node.onInit(() -> {
            store = new LogStore(node.peers());
            if (!node.peers().isEmpty()) {
                node.every(replicateInterval, this::replicateTick);
            }
            node.every(commitFlushInterval, this::flushTick);
        });
        node.handle("send", Send.class, (request, body) -> {
            started();
            send(request, body);
        });
        node.handle("kafka_send", ForwardedSend.class, (request, body) -> {
            started();
            forwardedSend(request, body);
        });
        node.handle("poll", Poll.class, (request, body) -> {
            started();
            node.reply(request, new PollOk(store.poll(body.offsets(), pollMaxPerKey, pollMaxMessages)));
        });
        node.handle("commit_offsets", CommitOffsets.class, (request, body) -> {
            started();
            committed.commit(body.offsets());
            node.reply(request, Body.of("commit_offsets_ok"));
        });
        node.handle("list_committed_offsets", ListCommittedOffsets.class, (request, body) -> {
            started();
            node.replyWhen(request, syncCommitted().thenApply(document -> {
                Map<String, Long> offsets = new LinkedHashMap<>();
                body.keys().stream().filter(key -> key != null && document.containsKey(key))
                        .forEach(key -> offsets.put(key, document.get(key)));
                return new ListCommittedOffsetsOk(offsets);
            }));
        });
        node.handle("kafka_replicate", Replicate.class, (request, body) -> {
            started();
            node.reply(request, new ReplicateOk(store.applyReplica(body.logs(), this::ownedHere)));
        });
    }

    /**
     * The workbench starts clients only once every node answered init, so the first client request
     * (or the first message from a peer, which got one) is when peers can surely take our messages:
     * heartbeats and batches start then (a message that reached a peer before its own init would be
     * answered from a node without an id), and so does the clock by which an owner that never
     * answered becomes suspect.
     */
    private void started() {
        if (!serving) {
            serving = true;
            long now = System.nanoTime();
            node.peers().forEach(peer -> lastHeard.put(peer, now));
        }
    }

    // ---- sends ----------------------------------------------------------------------------

    private void send(Message request, Send body) {
        String owner = owner(body.key());
        if (owner.equals(node.id())) {
            node.reply(request, new SendOk(store.append(body.key(), body.msg())));
            return;
        }
        if (suspected(owner)) {
            // Definite: we did not forward, so the message is nowhere and never will be.
            throw RpcError.unavailable("owner " + owner + " of key " + body.key() + " is unreachable");
        }
        Map<String, Segment> carried = store.missingAt(owner, replicateMaxPerKey, replicateMaxKeys);
        if (!carried.isEmpty()) {
            lastReplicated.put(owner, System.nanoTime());
        }
        // Never retried: a second delivery could store the message twice. A timeout stays indefinite.
        ForwardedSend forward = new ForwardedSend(body.key(), body.msg(), carried);
        node.replyWhen(request, node.rpc(owner, forward, ForwardedSendOk.class, rpcTimeout).thenApply(ok -> {
            heard(owner);
            store.acknowledged(owner, ok.lengths());
            return new SendOk(ok.offset());
        }));
    }

    private void forwardedSend(Message request, ForwardedSend body) {
        Map<String, Long> lengths = store.applyReplica(body.logs(), this::ownedHere);
        if (!ownedHere(body.key())) {
            throw RpcError.unavailable("not the owner of key " + body.key());
        }
        node.reply(request, new ForwardedSendOk(store.append(body.key(), body.msg()), lengths));
    }

    private String owner(String key) {
        if (key == null) {
            throw RpcError.malformed("key is required");
        }
        return Ownership.owner(key, node.nodeIds());
    }

    private boolean ownedHere(String key) {
        return owner(key).equals(node.id());
    }

    private boolean suspected(String peer) {
        return System.nanoTime() - lastHeard.getOrDefault(peer, 0L) > ownerSuspectAfter.toNanos();
    }

    private void heard(String peer) {
        lastHeard.put(peer, System.nanoTime());
    }

    // ---- replication ----------------------------------------------------------------------

    /**
     * Starts a round to every peer that is behind and got nothing from us (on a forward or in a round)
     * for a whole interval, or that we have not heard from for a heartbeat interval; one round per
     * peer at a time.
     */
    private void replicateTick() {
        if (!serving) {
            return;
        }
        long now = System.nanoTime();
        for (String peer : node.peers()) {
            boolean quiet = now - lastReplicated.getOrDefault(peer, 0L) >= replicateInterval.toNanos();
            boolean heartbeatDue = now - lastHeard.getOrDefault(peer, 0L) >= heartbeatInterval.toNanos();
            if (!replicating.contains(peer) && ((store.isBehind(peer) && quiet) || heartbeatDue)) {
                replicate(peer);
            }
        }
    }

    /**
     * One round: send what the peer lacks until it acknowledges. Each retry rebuilds the batch from
     * what the peer acknowledged so far, so a redelivery carries the newest messages too.
     */
    private void replicate(String peer) {
        replicating.add(peer);
        retries.run("kafka-replicate", () -> {
            lastReplicated.put(peer, System.nanoTime());
            Replicate batch = new Replicate(store.missingAt(peer, replicateMaxPerKey, replicateMaxKeys));
            return node.rpc(peer, batch, ReplicateOk.class, rpcTimeout).thenAccept(ok -> {
                heard(peer);
                store.acknowledged(peer, ok.lengths());
            });
        }).whenComplete((done, failure) -> {
            replicating.remove(peer);
            if (failure != null) {
                log.debug("replication to {} gave up: {}", peer, failure.toString());
            }
        });
    }

    // ---- committed offsets ----------------------------------------------------------------

    private void flushTick() {
        if (!flushRunning() && committed.needsFlush()) {
            flush();
        }
    }

    /**
     * Whether a flush is still under way. Its future counts as finished as soon as it completes, even
     * before our own completion callback has cleared the field: callbacks chained on it run first.
     */
    private boolean flushRunning() {
        return flushing != null && !flushing.isDone();
    }

    /**
     * The committed-offsets document as lin-kv holds it at some moment after this call, with every
     * commit this node acknowledged before the call merged in.
     */
    private CompletableFuture<Map<String, Long>> syncCommitted() {
        if (flushRunning()) {
            // A flush already running may have missed commits acknowledged since it started.
            return flushing.handle((document, failure) -> null).thenCompose(ignored -> syncCommitted());
        }
        if (committed.needsFlush()) {
            return flush();
        }
        return retries.run("kafka-commit", this::readDocument);
    }

    private CompletableFuture<Map<String, Long>> flush() {
        CompletableFuture<Map<String, Long>> flush = retries.run("kafka-commit", this::flushAttempt);
        flushing = flush;
        flush.whenComplete((document, failure) -> {
            if (flushing == flush) {
                flushing = null;
            }
            if (failure != null) {
                log.warn("committed offsets not written yet: {}", failure.toString());
            }
        });
        return flush;
    }

    /** Read the document unless known, then compare-and-set it to the merge with our commits. */
    private CompletionStage<Map<String, Long>> flushAttempt() {
        CompletableFuture<Map<String, Long>> known = committed.knowsStored()
                ? CompletableFuture.completedFuture(committed.stored())
                : readDocument();
        return known.thenCompose(stored -> {
            if (!committed.needsFlush()) {
                return CompletableFuture.completedFuture(committed.stored());
            }
            Map<String, Long> target = committed.merged();
            boolean create = !committed.storedExists();
            // create_if_not_exists: the first writer creates the document; if another node created
            // it meanwhile, the empty "from" fails with 22 and the next attempt reads and merges.
            return linKv.compareAndSet(COMMITTED_KEY, create ? Map.of() : stored, target, create)
                    .handle((ok, failure) -> {
                        if (failure != null) {
                            committed.forget();
                            throw new CompletionException(RpcError.unwrap(failure));
                        }
                        committed.learned(target);
                        return target;
                    });
        });
    }

    private CompletableFuture<Map<String, Long>> readDocument() {
        return linKv.read(COMMITTED_KEY).handle((value, failure) -> {
            if (failure != null) {
                if (RpcError.unwrap(failure) instanceof KeyDoesNotExistException) {
                    committed.learned(null);
                    return committed.stored();
                }
                committed.forget();
                throw new CompletionException(RpcError.unwrap(failure));
            }
            committed.learned(offsetsOf(value));
            return committed.stored();
        });
    }

    private static Map<String, Long> offsetsOf(JsonNode document) {
        Map<String, Long> offsets = new HashMap<>();
        if (document instanceof ObjectNode object) {
            object.fields().forEachRemaining(field -> {
                if (field.getValue().canConvertToLong()) {
                    offsets.put(field.getKey(), field.getValue().asLong());
                }
            });
        }
        return offsets;
    }
}
