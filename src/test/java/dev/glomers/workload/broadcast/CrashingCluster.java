package dev.glomers.workload.broadcast;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Body;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.storage.Stored;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Broadcast cores on a simulated network and disk, in virtual time, with crashes at random points: the
 * storage contract at core level, until the simulation's durable nodes are on this branch. Each input is
 * one step; what the core persists in a step is synced at the step's end and only then do the messages it
 * asked for after its first persist leave (the ones before go at once). A crash at the end of a step loses
 * the unsynced part (keeping a random prefix of it, as an interrupted sync may) and the held messages.
 * Clients' acknowledgements and reads are checked: a node's read must include every value it acknowledged
 * to a client or showed in a read, in any earlier run.
 */
final class CrashingCluster {

    private static final long LATENCY = 100;

    /** A message on its way, with its arrival time; ties go in sending order. */
    private record InFlight(long at, long seq, String from, String to, ObjectNode body) {
    }

    /** One node: its core (null while down) and what its disk synced. */
    private final class SimNode {
        final String id;
        BroadcastCore core;
        byte[] snapshot;
        final List<byte[]> records = new ArrayList<>();
        /** Values this node acknowledged to a client or returned in a read, in any run. */
        final Set<Long> shown = new HashSet<>();
        int stepsUntilCrash = -1;
        long restartAt = Long.MAX_VALUE;

        SimNode(String id) {
            this.id = id;
        }

        boolean up() {
            return core != null;
        }
    }

    /** The effects of one step: held until the step's end, as the driver holds them until the sync. */
    private final class Step implements Effects {
        final SimNode node;
        final List<Consumer<SimNode>> writes = new ArrayList<>();
        final List<Runnable> free = new ArrayList<>();
        final List<Runnable> held = new ArrayList<>();

        Step(SimNode node) {
            this.node = node;
        }

        private void out(Runnable effect) {
            (writes.isEmpty() ? free : held).add(effect);
        }

        @Override
        public void send(String dest, Body body) {
            ObjectNode tree = Wire.tree(body);
            out(() -> transmit(node.id, dest, tree));
        }

        @Override
        public void reply(Message request, Body body) {
            out(() -> answered(node, request, Wire.tree(body)));
        }

        @Override
        public void fail(Message request, RpcError error) {
            throw new AssertionError("no request of this load fails: " + error.getMessage());
        }

        @Override
        public long request(String dest, Body body) {
            throw new AssertionError("broadcast sends no requests");
        }

        @Override
        public boolean durable() {
            return true;
        }

        @Override
        public void persist(byte[] record) {
            writes.add(disk -> {
                if (!losePersisted) {
                    disk.records.add(record);
                }
            });
        }

        @Override
        public void snapshot(byte[] state) {
            writes.add(disk -> {
                disk.snapshot = state;
                disk.records.clear();
            });
        }
    }

    final Random random;
    final List<String> ids = new ArrayList<>();
    private final Map<String, SimNode> nodes = new LinkedHashMap<>();
    private final BroadcastProperties settings;
    private final PriorityQueue<InFlight> network = new PriorityQueue<>(
            Comparator.comparingLong(InFlight::at).thenComparingLong(InFlight::seq));
    /** Values some client got broadcast_ok for. */
    final Set<Long> acknowledged = new HashSet<>();
    final List<String> violations = new ArrayList<>();
    /** The broken variant: records are never kept (snapshots are): the check must catch it. */
    boolean losePersisted;
    double dropRate;
    /** Whether clients broadcast new values (else they only read). */
    boolean writes = true;
    /** The share of client requests that are reads while clients also broadcast. */
    double readShare = 0.25;
    long now = BroadcastCoreTest.T;
    private long seq;
    private long nextValue;

    CrashingCluster(int size, BroadcastProperties settings, long seed) {
        this.settings = settings;
        this.random = new Random(seed);
        for (int i = 0; i < size; i++) {
            ids.add("n" + i);
            nodes.put("n" + i, new SimNode("n" + i));
        }
        nodes.values().forEach(this::boot);
    }

    private void boot(SimNode node) {
        BroadcastCore core = new BroadcastCore(node.id, ids, settings, BroadcastCoreTest.REDELIVERY);
        if (node.snapshot != null || !node.records.isEmpty()) {
            core.recover(new Stored(node.snapshot, List.copyOf(node.records)));
        }
        node.core = core;
        node.restartAt = Long.MAX_VALUE;
        step(node, out -> core.start(now, out));
    }

    /** One input to a node's core; its writes synced and its messages released at the end, unless it crashes there. */
    private void step(SimNode node, Consumer<Step> input) {
        Step step = new Step(node);
        input.accept(step);
        step.free.forEach(Runnable::run);
        if (node.stepsUntilCrash == 0) {
            int kept = random.nextInt(step.writes.size() + 1);
            step.writes.subList(0, kept).forEach(write -> write.accept(node));
            node.core = null;
            node.stepsUntilCrash = -1;
            node.restartAt = now + 100 + random.nextInt(3000);
            return;
        }
        if (node.stepsUntilCrash > 0) {
            node.stepsUntilCrash--;
        }
        step.writes.forEach(write -> write.accept(node));
        step.held.forEach(Runnable::run);
    }

    private void transmit(String from, String to, ObjectNode body) {
        if (random.nextDouble() < dropRate) {
            return;
        }
        network.add(new InFlight(now + LATENCY + random.nextInt(20), seq++, from, to, body));
    }

    private void answered(SimNode node, Message request, ObjectNode reply) {
        switch (reply.path("type").asText()) {
            case "broadcast_ok" -> {
                long value = request.body().path("message").asLong();
                acknowledged.add(value);
                node.shown.add(value);
            }
            case "read_ok" -> {
                Set<Long> read = new HashSet<>();
                reply.path("messages").forEach(value -> read.add(value.asLong()));
                for (long value : node.shown) {
                    if (!read.contains(value)) {
                        violations.add(node.id + " at " + (now - BroadcastCoreTest.T) + " ms read without " + value
                                + ", which it had acknowledged or shown before");
                    }
                }
                node.shown.addAll(read);
            }
            default -> throw new AssertionError("unexpected reply " + reply);
        }
    }

    /** A client request to a random node that is up: a new value (most of the time) or a read. */
    void clientRequest() {
        List<SimNode> up = nodes.values().stream().filter(SimNode::up).toList();
        if (up.isEmpty()) {
            return;
        }
        SimNode node = up.get(random.nextInt(up.size()));
        ObjectNode body = Wire.JSON.createObjectNode();
        if (!writes || random.nextDouble() < readShare) {
            body.put("type", "read").put("msg_id", seq++);
        } else {
            body.put("type", "broadcast").put("message", nextValue++).put("msg_id", seq++);
        }
        Message request = new Message("c1", node.id, body);
        step(node, out -> node.core.receive(request, now, out));
    }

    /** Crashes {@code id} at the end of one of its next few steps (maybe the one that persists). */
    void crashSoon(String id) {
        SimNode node = nodes.get(id);
        if (node.up() && node.stepsUntilCrash < 0) {
            node.stepsUntilCrash = random.nextInt(6);
        }
    }

    /** Crashes {@code id} now, between steps, and restarts it {@code downMillis} later. */
    void crashNow(String id, long downMillis) {
        SimNode node = nodes.get(id);
        node.core = null;
        node.restartAt = now + downMillis;
    }

    /** Runs every event up to {@code until}: deliveries, ticks, restarts; {@code everyMillis} a client request. */
    void run(long until, long everyMillis) {
        long nextRequest = everyMillis > 0 ? now : Long.MAX_VALUE;
        long last = now;
        int rounds = 0;
        while (true) {
            long next = Math.min(nextRequest, network.isEmpty() ? Long.MAX_VALUE : network.peek().at());
            for (SimNode node : nodes.values()) {
                next = Math.min(next, node.up() ? Math.max(now, node.core.wakeAt()) : node.restartAt);
            }
            if (next > until) {
                now = until;
                return;
            }
            rounds = next == last ? rounds + 1 : 0;
            if (rounds > 10_000) {
                throw new AssertionError("a core asks to be woken at " + next + " again and again");
            }
            now = next;
            last = next;
            if (now == nextRequest) {
                clientRequest();
                nextRequest = now + 1 + random.nextInt((int) (2 * everyMillis));
            }
            while (!network.isEmpty() && network.peek().at() <= now) {
                InFlight message = network.poll();
                SimNode to = nodes.get(message.to());
                if (to.up()) {
                    step(to, out -> to.core.receive(new Message(message.from(), message.to(), message.body()), now, out));
                }
            }
            for (SimNode node : nodes.values()) {
                if (!node.up() && node.restartAt <= now) {
                    boot(node);
                } else if (node.up() && node.core.wakeAt() <= now) {
                    step(node, out -> node.core.tick(now, out));
                }
            }
        }
    }

    /** Restarts every node that is down (at once), so the end state can be checked. */
    void restartAll() {
        nodes.values().stream().filter(node -> !node.up()).forEach(this::boot);
    }

    boolean up(String id) {
        return nodes.get(id).up();
    }

    BroadcastCore core(String id) {
        return nodes.get(id).core;
    }

    /** Bytes on the node's disk: what a long run must keep bounded. */
    long diskBytes(String id) {
        SimNode node = nodes.get(id);
        long bytes = node.snapshot == null ? 0 : node.snapshot.length;
        for (byte[] record : node.records) {
            bytes += record.length;
        }
        return bytes;
    }

    /** Every acknowledged value on every node, and each node's reads included everything it had shown. */
    List<String> lostOrUnread() {
        List<String> problems = new ArrayList<>(violations);
        for (SimNode node : nodes.values()) {
            Set<Long> missing = new HashSet<>(acknowledged);
            missing.removeAll(node.core.values());
            if (!missing.isEmpty()) {
                problems.add(node.id + " lacks acknowledged values " + missing);
            }
        }
        return problems;
    }
}
