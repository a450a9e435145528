package dev.glomers.workload.broadcast;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.node.Body;
import dev.glomers.node.Message;
import dev.glomers.node.Node;
import dev.glomers.node.RpcError;
import dev.glomers.retry.Retries;
import dev.glomers.workload.broadcast.BroadcastProperties.ClientAck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Profile;

/**
 * Parts 3a-3e: the driver around {@link Dissemination}. It owns time and transport: batching
 * windows, bare acknowledgements when nothing else carries one, and redelivery until acknowledged
 * through the {@value #REDELIVERY} retry policy of application.yml. Reads are answered from local
 * state and never wait. All state lives on the node's event loop, so nothing here is locked.
 */
@Profile("broadcast")
@EnableConfigurationProperties(BroadcastProperties.class)
public class BroadcastWorkload {

    /** The Resilience4j policy that paces redelivery of unacknowledged batches. */
    static final String REDELIVERY = "broadcast-redelivery";

    record Topology(JsonNode topology) {
    }

    record Broadcast(long message) {
    }

    record Read() {
    }

    record ReadOk(List<Long> messages) implements Body {
        @Override
        public String type() {
            return "read_ok";
        }
    }

    /** An acknowledgement a redelivery attempt waits for. */
    private record AckWait(Dissemination.Mark target, CompletableFuture<Void> done) {
    }

    private final Node node;
    private final Retries retries;
    private final BroadcastProperties settings;
    private Dissemination core;
    private final Set<String> redelivering = new HashSet<>();
    /** Per peer: when an acknowledgement became owed that no message has carried yet (System.nanoTime). */
    private final Map<String, Long> ackOwedSince = new HashMap<>();
    private final Set<String> ackTimerArmed = new HashSet<>();
    /** Client broadcasts answered when the current window closes ({@link ClientAck#AFTER_WINDOW}). */
    private final List<Message> unansweredBroadcasts = new ArrayList<>();
    private final Map<String, AckWait> ackWaits = new HashMap<>();
    /** When the last message with uplink entries arrived (System.nanoTime): the hub keeps its window open for stragglers. */
    private long lastUplinkArrival;

    public BroadcastWorkload(Node node, Retries retries, BroadcastProperties settings) {
        this.node = node;
        this.retries = retries;
        this.settings = settings;
        retries.policy(REDELIVERY); // a missing policy is a start-up error, not a surprise in the first partition
        node.onInit(this::start);
        node.handle("topology", Topology.class, (request, body) -> node.reply(request, Body.of("topology_ok")));
        node.handle("broadcast", Broadcast.class, (request, body) -> {
            core.broadcast(body.message());
            boolean immediate = myWindow().isZero() || core.peers().isEmpty();
            if (immediate) {
                closeWindow();
            }
            if (settings.clientAck() == ClientAck.AFTER_WINDOW && !immediate) {
                unansweredBroadcasts.add(request);
            } else {
                node.reply(request, Body.of("broadcast_ok"));
            }
        });
        node.handle("read", Read.class, (request, body) -> node.reply(request, new ReadOk(core.read())));
        node.handle(Gossip.TYPE, Gossip.class, this::receive);
    }

    private void start() {
        core = new Dissemination(node.id(), node.nodeIds(), settings.fanOut());
        if (core.peers().isEmpty()) {
            return;
        }
        if (core.isHub() && !settings.relayWindow().isZero()) {
            everyWindow(settings.relayWindow(), settings.relayPhase(),
                    () -> closeWindowWhenQuiet(System.nanoTime() + settings.relayLinger().toNanos()));
        } else if (!core.isHub() && !settings.uplinkWindow().isZero()) {
            everyWindow(settings.uplinkWindow(), Duration.ZERO, this::closeWindow);
        }
        if (!core.isHub()) {
            everyWindow(settings.fallbackWindow(), Duration.ZERO, () -> {
                if (core.hubUnreachable()) {
                    core.peers().forEach(this::flush);
                }
            });
        }
    }

    /** The batching window of this node's role: relay for the hub, uplink for a leaf. */
    private Duration myWindow() {
        return core.isHub() ? settings.relayWindow() : settings.uplinkWindow();
    }

    /** End of a batching window: send the batch on, answer the broadcasts it took. */
    private void closeWindow() {
        if (core.isHub()) {
            core.children().forEach(this::flush);
        } else {
            flush(core.hub());
        }
        unansweredBroadcasts.forEach(request -> node.reply(request, Body.of("broadcast_ok")));
        unansweredBroadcasts.clear();
    }

    /**
     * The hub closes its window once no uplink arrived for {@code relay-quiet}, at {@code relay-linger}
     * past its phase at the latest: leaves' batches that a busy machine delayed still make this window
     * instead of waiting a whole one more, and an idle network costs no wait at all.
     */
    private void closeWindowWhenQuiet(long latest) {
        long now = System.nanoTime();
        long quietFor = now - lastUplinkArrival;
        long quiet = settings.relayQuiet().toNanos();
        if (quietFor < quiet && now < latest) {
            node.after(Duration.ofNanos(Math.min(quiet - quietFor, latest - now)), () -> closeWindowWhenQuiet(latest));
        } else {
            closeWindow();
        }
    }

    /** Sends {@code peer} what it was never sent, unless it is suspected to be cut off (redelivery covers it then). */
    private void flush(String peer) {
        if (core.hasUnsent(peer) && !core.isSuspect(peer)) {
            send(peer, core.next(peer));
        }
    }

    private void send(String peer, Gossip gossip) {
        node.send(peer, gossip);
        ackOwedSince.remove(peer); // every message carries our acknowledgements
        if (gossip.carriesEntries()) {
            redeliverUntilAcknowledged(peer);
        }
    }

    private void receive(Message request, Gossip gossip) {
        String peer = request.src();
        if (!core.isPeer(peer)) {
            return;
        }
        Dissemination.Receipt receipt = core.receive(peer, gossip);
        if (!gossip.up().isEmpty()) {
            lastUplinkArrival = System.nanoTime();
        }
        if (receipt.relayed() > 0 && (!core.isHub() || settings.relayWindow().isZero())) {
            // Inside the tree a relay batch goes on to the children at once: it is a batch already.
            core.children().forEach(this::flush);
        }
        if (receipt.ackProgress()) {
            AckWait wait = ackWaits.get(peer);
            if (wait != null && core.acknowledged(peer, wait.target())) {
                ackWaits.remove(peer);
                wait.done().complete(null);
            }
        }
        if (receipt.carriedEntries()) {
            ackOwedSince.putIfAbsent(peer, System.nanoTime());
            armAckTimer(peer);
        }
    }

    /**
     * A bare acknowledgement goes out only once one has been owed for {@code ack-delay} with no
     * message to that peer carrying it meanwhile.
     */
    private void armAckTimer(String peer) {
        Long since = ackOwedSince.get(peer);
        if (since == null || !ackTimerArmed.add(peer)) {
            return;
        }
        long due = since + settings.ackDelay().toNanos() - System.nanoTime();
        node.after(Duration.ofNanos(Math.max(0, due)), () -> {
            ackTimerArmed.remove(peer);
            Long owedSince = ackOwedSince.get(peer);
            if (owedSince == null) {
                return;
            }
            if (System.nanoTime() - owedSince >= settings.ackDelay().toNanos()) {
                send(peer, core.next(peer));
            } else {
                armAckTimer(peer);
            }
        });
    }

    /**
     * One redelivery chain per peer at a time: each attempt waits for the acknowledgement of
     * everything sent so far; a missed deadline fails the attempt (code 0, a timeout), and the
     * policy's next attempt first marks the peer suspect and resends all it has not acknowledged.
     */
    private void redeliverUntilAcknowledged(String peer) {
        if (!core.awaitsAck(peer) || !redelivering.add(peer)) {
            return;
        }
        int[] attempts = {0};
        retries.run(REDELIVERY, () -> {
            if (++attempts[0] > 1) {
                core.suspect(peer);
                node.send(peer, core.resend(peer));
                ackOwedSince.remove(peer);
            }
            return awaitAck(peer, core.sent(peer));
        }).whenComplete((done, failure) -> {
            redelivering.remove(peer);
            if (failure == null) {
                redeliverUntilAcknowledged(peer); // batches sent meanwhile wait for their own acknowledgement
            } else {
                // The policy gave up (or an attempt broke): never drop a peer, start over after a pause.
                node.after(settings.ackTimeout(), () -> redeliverUntilAcknowledged(peer));
            }
        });
    }

    private CompletableFuture<Void> awaitAck(String peer, Dissemination.Mark target) {
        if (core.acknowledged(peer, target)) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        ackWaits.put(peer, new AckWait(target, done));
        ScheduledFuture<?> deadline = node.after(settings.ackTimeout(), () -> {
            ackWaits.remove(peer);
            done.completeExceptionally(RpcError.timeout("no acknowledgement from " + peer + " within " + settings.ackTimeout()));
        });
        done.whenComplete((ok, failure) -> deadline.cancel(false));
        return done;
    }

    /** Runs {@code task} at every wall-clock multiple of {@code window}, shifted by {@code phase}. */
    private void everyWindow(Duration window, Duration phase, Runnable task) {
        long period = window.toMillis();
        long now = System.currentTimeMillis() - phase.toMillis();
        long delay = period - Math.floorMod(now, period);
        node.after(Duration.ofMillis(delay), () -> {
            try {
                task.run();
            } finally {
                everyWindow(window, phase, task);
            }
        });
    }
}
