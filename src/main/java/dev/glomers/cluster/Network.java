package dev.glomers.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.ClusterOptions.LatencyDistribution;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulated network between nodes, clients and services. Every message is counted when sent
 * ({@link MessageStats}), held back by the latency when it goes server to server (clients get none), and
 * dropped at delivery time when a partition separates its source from its destination.
 */
final class Network implements AutoCloseable {

    /** Something that can receive messages: a node process, a client, a service. */
    interface Endpoint {
        void deliver(ObjectNode message);
    }

    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    /** Clients closed after use: messages to them vanish uncounted, as the workbench's net refuses them. */
    private final Set<String> retired = ConcurrentHashMap.newKeySet();
    private final DelayQueue<InFlight> inFlight = new DelayQueue<>();
    private final AtomicLong sequence = new AtomicLong();
    private final MessageStats stats = new MessageStats();
    private final ProtocolErrors errors;
    private final long latencyNanos;
    private final LatencyDistribution distribution;
    private final Random random;
    private final Thread courier;
    /** dest -> the sources whose messages it drops; replaced whole on every partition change. */
    private volatile Map<String, Set<String>> grudge = Map.of();
    /**
     * Killed nodes, and what they still take: nothing ("" ) while dead; only their init client's messages
     * while restarting, until they answered init. Other messages reaching them are dropped.
     */
    private final Map<String, String> down = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private volatile MessageJournal journal;

    Network(long latencyMillis, LatencyDistribution distribution, long seed, ProtocolErrors errors) {
        this.latencyNanos = TimeUnit.MILLISECONDS.toNanos(latencyMillis);
        this.distribution = distribution;
        this.random = new Random(seed);
        this.errors = errors;
        this.courier = new Thread(this::deliverLoop, "cluster-network");
        this.courier.setDaemon(true);
        this.courier.start();
    }

    void register(String id, Endpoint endpoint) {
        endpoints.put(id, endpoint);
    }

    /** Closes a client, as the workbench does after init, after set-up, and when it replaces a worker's. */
    void retire(String id) {
        retired.add(id);
        endpoints.remove(id);
    }

    /** Records what the report draws from now on. */
    void journal(MessageJournal journal) {
        this.journal = journal;
    }

    MessageStats stats() {
        return stats;
    }

    /** Puts a message on the network. Messages to unknown destinations are protocol errors, not messages. */
    void send(ObjectNode message) {
        String src = text(message.get("src"));
        String dest = text(message.get("dest"));
        if (src == null || dest == null || !message.path("body").isObject()) {
            errors.add("message without src, dest or body: " + Json.write(message));
            return;
        }
        if (retired.contains(dest)) {
            return;
        }
        if (!endpoints.containsKey(dest)) {
            errors.add("message to unknown destination " + dest + ": " + Json.write(message));
            return;
        }
        stats.sent(src, dest);
        long delay = MessageStats.involvesClient(src, dest) ? 0 : sampleLatency();
        long now = System.nanoTime();
        long seq = sequence.incrementAndGet();
        MessageJournal j = journal;
        if (j != null) {
            j.sent(seq, src, dest, message.get("body"), now);
        }
        inFlight.add(new InFlight(now + delay, seq, src, dest, message));
    }

    void partition(Map<String, Set<String>> grudge) {
        this.grudge = Map.copyOf(grudge);
    }

    void heal() {
        this.grudge = Map.of();
    }

    void down(String node) {
        down.put(node, "");
    }

    /** A restarted node takes messages from {@code initClient} only, until {@link #up}. */
    void restarting(String node, String initClient) {
        down.put(node, initClient);
    }

    void up(String node) {
        down.remove(node);
    }

    private long sampleLatency() {
        if (latencyNanos == 0) {
            return 0;
        }
        synchronized (random) {
            return switch (distribution) {
                case CONSTANT -> latencyNanos;
                case UNIFORM -> (long) (random.nextDouble() * 2 * latencyNanos);
                case EXPONENTIAL -> (long) (-Math.log(1 - random.nextDouble()) * latencyNanos);
            };
        }
    }

    private void deliverLoop() {
        while (!closed) {
            InFlight m;
            try {
                m = inFlight.take();
            } catch (InterruptedException e) {
                return;
            }
            MessageJournal j = journal;
            if (grudge.getOrDefault(m.dest, Set.of()).contains(m.src) || isDown(m)) {
                if (j != null) {
                    j.dropped(m.seq);
                }
                continue;
            }
            Endpoint endpoint = endpoints.get(m.dest);
            if (endpoint == null) {
                if (j != null) {
                    j.dropped(m.seq);
                }
                continue; // a client retired while the message was in flight
            }
            stats.delivered(m.src, m.dest);
            if (j != null) {
                j.delivered(m.seq, System.nanoTime());
            }
            try {
                endpoint.deliver(m.message);
            } catch (RuntimeException e) {
                errors.add("delivering to " + m.dest + " failed: " + e);
            }
        }
    }

    private boolean isDown(InFlight m) {
        String admitted = down.get(m.dest);
        return admitted != null && !admitted.equals(m.src);
    }

    @Override
    public void close() {
        closed = true;
        courier.interrupt();
    }

    private static String text(JsonNode node) {
        return node != null && node.isTextual() ? node.asText() : null;
    }

    private record InFlight(long deadline, long seq, String src, String dest, ObjectNode message)
            implements Delayed {

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            InFlight o = (InFlight) other;
            int c = Long.compare(deadline, o.deadline);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
