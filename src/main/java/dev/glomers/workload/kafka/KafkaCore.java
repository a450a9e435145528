package dev.glomers.workload.kafka;

import com.fasterxml.jackson.databind.JsonNode;
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
import dev.glomers.workload.kafka.KafkaMessages.Appended;
import dev.glomers.workload.kafka.KafkaMessages.CommitOffsets;
import dev.glomers.workload.kafka.KafkaMessages.ForwardedSend;
import dev.glomers.workload.kafka.KafkaMessages.ForwardedSendOk;
import dev.glomers.workload.kafka.KafkaMessages.ListCommittedOffsets;
import dev.glomers.workload.kafka.KafkaMessages.Poll;
import dev.glomers.workload.kafka.KafkaMessages.PollOk;
import dev.glomers.workload.kafka.KafkaMessages.Replicate;
import dev.glomers.workload.kafka.KafkaMessages.ReplicateOk;
import dev.glomers.workload.kafka.KafkaMessages.Replication;
import dev.glomers.workload.kafka.KafkaMessages.Send;
import dev.glomers.workload.kafka.KafkaMessages.SendOk;
import io.github.resilience4j.retry.Retry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Parts 5a-5c, the Kafka-style log, as a pure core (see docs/kafka.md):
 * <ul>
 * <li>Each key has one owner ({@link Ownership}); it assigns offsets and keeps the log. A {@code send}
 *     reaching another node is forwarded to the owner ({@code kafka_send}, never retried), or refused with
 *     the definite error 11 while the owner is suspect. A forward names the oldest forward its sender still
 *     waits for, so the owner answers a duplicate with the offset it gave the first copy, ignores a copy
 *     nobody waits for any more, and keeps only the answers still awaited: a send is stored once.</li>
 * <li>Every node holds replicas of its peers' logs and answers {@code poll} from memory. An owner's
 *     appends reach its peers through the one delivery primitive ({@link Delivery}, one log per node:
 *     its appends in order), on every message between the two nodes: forwards, their answers, and
 *     {@code kafka_replicate} batches. A replica is therefore a gap-free prefix of the owner's log.</li>
 * <li>Committed offsets are acknowledged at once and written behind to lin-kv ({@link CommitWriter}).</li>
 * </ul>
 *
 * <p>Timing rules, all functions of the {@code now} given:
 * <ul>
 * <li>A forwarded send not answered within {@code rpc-timeout} answers the client 0 (indefinite).</li>
 * <li>A peer that got no new messages from this node for {@code replicate-interval} gets a batch as soon as
 *     there is something for it (unless the primitive holds it suspect: then its redelivery covers it).</li>
 * <li>A peer not heard from, and not asked anything, for {@code heartbeat-interval} gets an empty batch,
 *     which it answers (from the node with the larger id of a pair: after twice that); an owner not heard
 *     from for {@code owner-suspect-after} is suspect.</li>
 * <li>Acknowledgements of replicated messages, their deadlines ({@code ack-delay}, {@code ack-timeout})
 *     and redelivery paced by the {@code kafka-replicate} policy are the primitive's.</li>
 * <li>Nothing goes between nodes before clients started (the first client request here, or the first
 *     message from a peer, which had one): the workbench starts clients once every node answered init,
 *     and a message reaching a peer before its own init would be lost.</li>
 * </ul>
 */
final class KafkaCore implements Core {

    private static final long NEVER = Long.MAX_VALUE;

    /** A client's send forwarded to the owner, answered when the owner answers or failed at {@code dueAt}. */
    private record Forward(Message client, long dueAt) {
    }

    private final String self;
    private final List<String> nodeIds;
    private final KafkaProperties settings;
    private final LogStore store = new LogStore();
    private final Delivery<Appended> delivery;
    private final CommitWriter commits;
    private final TreeMap<Long, Forward> forwards = new TreeMap<>();
    private long lastForwardId;
    private final ForwardedSends forwarded = new ForwardedSends();
    private final KafkaJournal journal = new KafkaJournal();
    /** With a data directory: how many times this node started on it (0 the first time); else null. */
    private Long incarnation;
    private KafkaJournal.Recovered recovered;
    /** Per peer: when it last sent us anything, when we last asked it anything, when it last got new messages from us. */
    private final Map<String, Long> lastHeard = new HashMap<>();
    private final Map<String, Long> lastAsked = new HashMap<>();
    private final Map<String, Long> lastReplicated = new HashMap<>();
    private boolean serving;

    KafkaCore(String self, List<String> nodeIds, KafkaProperties settings, Retry replicatePolicy, Retry commitPolicy) {
        this.self = self;
        this.nodeIds = List.copyOf(nodeIds);
        this.settings = settings;
        List<String> peers = nodeIds.stream().filter(id -> !id.equals(self)).toList();
        this.delivery = new Delivery<>(peers, List.of(peers), new Delivery.Timing(settings.ackDelay().toMillis(),
                settings.ackTimeout().toMillis(), settings.replicateMaxMessages()), replicatePolicy);
        this.commits = new CommitWriter(commitPolicy, settings.commitFlushInterval().toMillis(), settings.rpcTimeout().toMillis());
    }

    /** A restarted node: its logs, replicas, delivery logs, forwards and commits as synced. */
    @Override
    public void recover(Stored stored) {
        recovered = journal.recover(stored, self, store, forwarded);
    }

    @Override
    public void start(long now, Effects out) {
        if (!out.durable()) {
            return;
        }
        incarnation = recovered == null ? 1 : recovered.incarnation() + 1;
        delivery.incarnate(incarnation);
        // Synced before any forward or parcel of this run leaves: the next start counts one more, whatever was lost.
        journal.incarnation(incarnation, out);
        if (recovered != null) {
            if (!recovered.committed().isEmpty()) {
                commits.commit(recovered.committed(), now); // acknowledged before the crash: lin-kv gets them (max-merge)
            }
            recovered.unacknowledged().forEach(appended -> delivery.append(0, appended));
            delivery.announce(); // peers resend what this node lost at once, not after their deadline
            recovered = null;
        }
    }

    @Override
    public void receive(Message message, long now, Effects out) {
        try {
            handle(message, now, out);
        } finally {
            if (out.durable()) {
                journal.snapshotIfDue(store, delivery, commits::acknowledged, forwarded, out);
            }
        }
    }

    private void handle(Message message, long now, Effects out) {
        if (message.isReply()) {
            answer(message, now, out);
            return;
        }
        started(now);
        String from = message.src();
        switch (message.type()) {
            case "send" -> send(message, Wire.read(message.body(), Send.class), now, out);
            case "poll" -> {
                Map<String, Long> offsets = Wire.read(message.body(), Poll.class).offsets();
                out.reply(message, new PollOk(store.poll(offsets == null ? Map.of() : offsets,
                        settings.pollMaxPerKey(), settings.pollMaxMessages())));
            }
            case "commit_offsets" -> {
                Map<String, Long> offsets = Wire.read(message.body(), CommitOffsets.class).offsets();
                commits.commit(offsets == null ? Map.of() : offsets, now);
                if (out.durable() && offsets != null) {
                    journal.commit(offsets, out); // synced before commit_offsets_ok leaves
                }
                out.reply(message, Body.of("commit_offsets_ok"));
            }
            case "list_committed_offsets" ->
                    commits.list(message, Wire.read(message.body(), ListCommittedOffsets.class).keys(), now, out);
            case "kafka_send" -> {
                ForwardedSend forward = readBetweenNodes(message.body(), ForwardedSend.class);
                replicated(peer(from, now), forward.replication(), now, out);
                if (!owner(forward.key()).equals(self)) {
                    throw RpcError.unavailable("not the owner of key " + forward.key());
                }
                Long offset = forwarded.offsetFor(from, forward.incarnation(), message.msgId(), forward.awaited(),
                        () -> append(forward.key(), forward.msg(), from, forward.incarnation(), message.msgId(), out));
                if (offset != null) {
                    out.reply(message, new ForwardedSendOk(offset, replicationFor(from, now), forward.incarnation()));
                }
            }
            case "kafka_replicate" -> {
                replicated(peer(from, now), readBetweenNodes(message.body(), Replicate.class).replication(), now, out);
                out.reply(message, new ReplicateOk(replicationFor(from, now)));
            }
            default -> throw RpcError.notSupported(message.type());
        }
    }

    /** A message between nodes: incarnations and floors may be absent (a node without a data directory leaves it out). */
    private static <B> B readBetweenNodes(com.fasterxml.jackson.databind.node.ObjectNode body, Class<B> type) {
        try {
            return Wire.LENIENT.treeToValue(body, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw RpcError.malformed("malformed " + body.path("type").asText() + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** Clients have started: from now on peers surely take our messages, and silence from an owner counts. */
    private void started(long now) {
        if (!serving) {
            serving = true;
            delivery.peers().forEach(peer -> lastHeard.put(peer, now));
        }
    }

    // ---- sends ----------------------------------------------------------------------------

    private void send(Message request, Send body, long now, Effects out) {
        String owner = owner(body.key());
        if (owner.equals(self)) {
            out.reply(request, new SendOk(append(body.key(), body.msg(), null, null, null, out)));
            return;
        }
        if (suspect(owner, now)) {
            // Definite: we did not forward, so the message is nowhere and never will be.
            throw RpcError.unavailable("owner " + owner + " of key " + body.key() + " is unreachable");
        }
        // Every forward sent before this one and no longer in the map is over; this one's id comes after them all.
        long awaited = forwards.isEmpty() ? lastForwardId + 1 : forwards.firstKey();
        long id = out.request(owner, new ForwardedSend(body.key(), body.msg(), awaited, replicationFor(owner, now), incarnation));
        lastForwardId = id;
        lastAsked.put(owner, now);
        forwards.put(id, new Forward(request, now + settings.rpcTimeout().toMillis()));
    }

    /** A reply to one of our requests: a forward's answer, a batch's answer, or lin-kv's. */
    private void answer(Message reply, long now, Effects out) {
        if (commits.awaits(reply)) {
            commits.receive(reply, now, out);
            return;
        }
        String from = reply.src();
        if (!delivery.isPeer(from)) {
            return; // a late answer from lin-kv to a request already given up
        }
        heard(from, now);
        switch (reply.type()) {
            case "kafka_send_ok" -> {
                ForwardedSendOk ok = readBetweenNodes(reply.body(), ForwardedSendOk.class);
                replicated(from, ok.replication(), now, out);
                // An answer to our earlier self (whose msg_ids were the same) is not this forward's.
                Forward forward = Objects.equals(ok.incarnation(), incarnation) ? forwards.remove(reply.inReplyTo()) : null;
                if (forward != null) {
                    out.reply(forward.client(), new SendOk(ok.offset()));
                }
            }
            case "kafka_replicate_ok" -> replicated(from, readBetweenNodes(reply.body(), ReplicateOk.class).replication(), now, out);
            case "error" -> {
                Forward forward = forwards.remove(reply.inReplyTo());
                if (forward != null) {
                    out.fail(forward.client(), new RpcError(reply.body().path("code").asInt(), reply.body().path("text").asText()));
                }
            }
            default -> {
            }
        }
    }

    /** The owner appends; with a data directory the record (and the forward it answers, if any) is synced before any answer. */
    private long append(String key, JsonNode msg, String forwarder, Long forwarderIncarnation, Long msgId, Effects out) {
        long offset = store.append(key, msg);
        Appended appended = new Appended(key, offset, msg);
        delivery.append(0, appended);
        if (out.durable()) {
            journal.own(appended, forwarder, forwarderIncarnation, msgId, out);
        }
        return offset;
    }

    private String owner(String key) {
        if (key == null) {
            throw RpcError.malformed("key is required");
        }
        return Ownership.owner(key, nodeIds);
    }

    /** A message from {@code node}, which must be a peer: it is alive. */
    private String peer(String node, long now) {
        if (!delivery.isPeer(node)) {
            throw RpcError.malformed(node + " is not a peer");
        }
        heard(node, now);
        return node;
    }

    private boolean suspect(String peer, long now) {
        return now - lastHeard.getOrDefault(peer, now) > settings.ownerSuspectAfter().toMillis();
    }

    private void heard(String peer, long now) {
        lastHeard.put(peer, now);
    }

    // ---- replication ----------------------------------------------------------------------

    /** What goes to {@code peer} on the message about to be sent: new messages for its replicas and our acknowledgement. */
    private Replication replicationFor(String peer, long now) {
        return toWire(peer, delivery.next(peer, now), now);
    }

    private Replication toWire(String peer, Parcel<Appended> parcel, long now) {
        if (parcel.carriesEntries()) {
            lastReplicated.put(peer, now);
        }
        Slice<Appended> slice = parcel.slice(0);
        return new Replication(slice.from(), slice.entries(), parcel.ack(0), parcel.incarnation(), parcel.peerIncarnation(),
                parcel.floors());
    }

    /** Takes {@code peer}'s replication: its new messages into our replicas, in its order, each once. */
    private void replicated(String peer, Replication replication, long now, Effects out) {
        if (replication == null) {
            return;
        }
        List<Appended> msgs = replication.msgs() == null ? List.of() : replication.msgs();
        Parcel<Appended> parcel = new Parcel<>(List.of(new Slice<>(replication.from(), msgs)), List.of(replication.ack()),
                replication.incarnation(), replication.peerIncarnation(), replication.floors());
        for (Appended appended : delivery.receive(peer, parcel, now).fresh(0)) {
            if (appended.key() != null && owner(appended.key()).equals(peer)
                    && store.length(appended.key()) == appended.offset()) { // around a restart a message can come again
                store.replicate(appended.key(), appended.offset(), appended.msg());
                if (out.durable()) {
                    journal.replica(peer, appended, out); // synced before our acknowledgement leaves
                }
            }
        }
    }

    /** A batch of its own to {@code peer} (new messages, a redelivery, a bare acknowledgement or a heartbeat); the peer answers it. */
    private void replicate(String peer, Parcel<Appended> parcel, long now, Effects out) {
        out.request(peer, new Replicate(toWire(peer, parcel, now)));
        lastAsked.put(peer, now);
    }

    /** Every key's log as this node holds it, owned or replica (for tests that compare nodes and restarts). */
    Map<String, List<JsonNode>> logs() {
        return store.logs();
    }

    /** Every key's length as this node holds it (for tests). */
    Map<String, Long> lengths() {
        return store.lengths();
    }

    // ---- time -----------------------------------------------------------------------------

    @Override
    public void tick(long now, Effects out) {
        List<Long> overdue = new ArrayList<>();
        forwards.forEach((id, forward) -> {
            if (now >= forward.dueAt()) {
                overdue.add(id);
            }
        });
        for (Long id : overdue) {
            out.fail(forwards.remove(id).client(), RpcError.timeout(
                    "the owner did not answer within " + settings.rpcTimeout().toMillis() + " ms"));
        }
        delivery.tick(now, (peer, parcel) -> replicate(peer, parcel, now, out));
        if (serving) {
            for (String peer : delivery.peers()) {
                if (now >= batchDueAt(peer) || now >= heartbeatDueAt(peer)) {
                    replicate(peer, delivery.next(peer, now), now, out);
                }
            }
        }
        commits.tick(now, out);
    }

    /** When {@code peer} gets a batch of its own: {@code replicate-interval} after it last got new messages, if it lacks some. */
    private long batchDueAt(String peer) {
        if (!delivery.hasUnsent(peer) || delivery.isSuspect(peer)) {
            return NEVER;
        }
        return lastReplicated.getOrDefault(peer, Long.MIN_VALUE / 2) + settings.replicateInterval().toMillis();
    }

    /**
     * When {@code peer} gets an empty batch: a heartbeat interval after we last heard from it or asked it
     * anything. Of each pair the node with the smaller id is the one that asks; the other waits twice as
     * long, so an idle pair exchanges one batch and its answer per interval, not two.
     */
    private long heartbeatDueAt(String peer) {
        long interval = settings.heartbeatInterval().toMillis() * (self.compareTo(peer) < 0 ? 1 : 2);
        return Math.max(lastHeard.get(peer), lastAsked.getOrDefault(peer, Long.MIN_VALUE)) + interval;
    }

    @Override
    public long wakeAt() {
        // After announce() the delivery asks for Long.MIN_VALUE; the driver's "wake - now" must not overflow.
        long wake = Math.min(Math.max(0, delivery.wakeAt()), commits.wakeAt());
        for (Forward forward : forwards.values()) {
            wake = Math.min(wake, forward.dueAt());
        }
        if (serving) {
            for (String peer : delivery.peers()) {
                wake = Math.min(wake, Math.min(batchDueAt(peer), heartbeatDueAt(peer)));
            }
        }
        return wake;
    }
}
