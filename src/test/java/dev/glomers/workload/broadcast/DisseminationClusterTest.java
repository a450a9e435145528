package dev.glomers.workload.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Whole clusters of {@link Dissemination} cores on a simulated network, in lock-step rounds, driven
 * the way the workload drives them: a round is a batching window, deliveries are one hop, a peer
 * that leaves data unacknowledged for a few rounds gets suspected and redelivered to.
 */
class DisseminationClusterTest {

    /** A bare acknowledgement goes out when nothing carried one for this many rounds. */
    private static final int ACK_DELAY = 4;
    /** Redelivery when what was sent is not acknowledged within this many rounds (> ack delay + round trip). */
    private static final int ACK_TIMEOUT = 8;

    private record Envelope(String from, String to, Gossip gossip) {
    }

    private final Map<String, Dissemination> nodes = new LinkedHashMap<>();
    private final Queue<Envelope> inFlight = new ArrayDeque<>();
    private final Set<Long> broadcast = new HashSet<>();
    private final Map<String, Set<Long>> origins = new HashMap<>();
    private final Map<String, Integer> ackOwedSince = new HashMap<>();
    private final Map<String, Dissemination.Mark> awaited = new HashMap<>();
    private final Map<String, Integer> awaitedSince = new HashMap<>();
    private Map<String, Integer> side = Map.of();
    private int round;
    private long sent;
    private long redeliveries;

    private void start(int count) {
        start(count, 0);
    }

    private void start(int count, int fanOut) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add("n" + i);
        }
        ids.forEach(id -> nodes.put(id, new Dissemination(id, ids, fanOut)));
    }

    private void broadcastAt(String node, long value) {
        nodes.get(node).broadcast(value);
        broadcast.add(value);
        origins.computeIfAbsent(node, n -> new HashSet<>()).add(value);
    }

    private void send(String from, String to, Gossip gossip) {
        sent++;
        // Nodes not named in the partition are on side 0.
        if (side.getOrDefault(from, 0).equals(side.getOrDefault(to, 0))) {
            inFlight.add(new Envelope(from, to, gossip));
        }
    }

    /** One window: deliver what is in flight, then every node sends what it owes. */
    private void round() {
        round++;
        List<Envelope> arriving = new ArrayList<>(inFlight);
        inFlight.clear();
        for (Envelope envelope : arriving) {
            nodes.get(envelope.to()).receive(envelope.from(), envelope.gossip());
        }
        for (Map.Entry<String, Dissemination> entry : nodes.entrySet()) {
            String id = entry.getKey();
            Dissemination node = entry.getValue();
            for (String peer : node.peers()) {
                String pair = id + ">" + peer;
                boolean regular = node.hasUnsent(peer) && !node.isSuspect(peer);
                boolean ackDue = node.ackOwed(peer) && round - ackOwedSince.computeIfAbsent(pair, p -> round) >= ACK_DELAY;
                if (regular || ackDue) {
                    send(id, peer, node.next(peer));
                }
                if (!node.ackOwed(peer)) {
                    ackOwedSince.remove(pair);
                }
                // One redelivery deadline per pair, as the workload's one retry chain per peer.
                Dissemination.Mark mark = awaited.get(pair);
                if (mark != null && node.acknowledged(peer, mark)) {
                    awaited.remove(pair);
                    mark = null;
                }
                if (mark == null && node.awaitsAck(peer)) {
                    awaited.put(pair, node.sent(peer));
                    awaitedSince.put(pair, round);
                } else if (mark != null && round - awaitedSince.get(pair) >= ACK_TIMEOUT) {
                    node.suspect(peer);
                    redeliveries++;
                    send(id, peer, node.resend(peer));
                    awaited.put(pair, node.sent(peer));
                    awaitedSince.put(pair, round);
                }
            }
        }
    }

    private void settle() {
        for (int i = 0; i < 60; i++) {
            round();
        }
    }

    @Test
    void withoutFaultsEveryValueReachesEveryNodeInTwoHopsAndNothingIsKept() {
        start(5);
        broadcastAt("n3", 1);
        broadcastAt("n0", 2);
        broadcastAt("n4", 3);
        round(); // leaves -> hub
        round(); // hub -> everyone
        round();
        for (Dissemination node : nodes.values()) {
            assertThat(node.read()).containsExactlyInAnyOrderElementsOf(broadcast);
        }
        settle();
        nodes.values().forEach(node -> assertThat(node.retained()).isZero());
    }

    @Test
    void nodesCutOffFromTheHubStillShareTheirValuesAndEveryoneConvergesAfterTheHeal() {
        start(7);
        Random random = new Random(42);
        long value = 0;
        side = Map.of("n0", 0, "n1", 0, "n2", 0, "n3", 1, "n4", 1, "n5", 1, "n6", 1);
        for (int i = 0; i < 40; i++) {
            for (int b = 0; b < 3; b++) {
                broadcastAt("n" + random.nextInt(7), value++);
            }
            round();
        }
        // Quiet, still cut: the hub-less side spreads its own values by itself.
        for (int i = 0; i < 10; i++) {
            round();
        }
        List<String> hubless = List.of("n3", "n4", "n5", "n6");
        Set<Long> originatedThere = new HashSet<>();
        hubless.forEach(node -> originatedThere.addAll(origins.getOrDefault(node, Set.of())));
        assertThat(originatedThere).isNotEmpty();
        for (String node : hubless) {
            assertThat(nodes.get(node).read()).as("the hub-less side shares its values by itself: " + node)
                    .containsAll(originatedThere);
        }
        assertThat(nodes.get("n0").read()).as("the hub has not seen the other side yet").doesNotContainAnyElementsOf(originatedThere);

        side = Map.of();
        settle();
        for (Dissemination node : nodes.values()) {
            assertThat(node.read()).containsExactlyInAnyOrderElementsOf(broadcast);
            assertThat(node.retained()).as("everything acknowledged, nothing kept").isZero();
            assertThat(node.hubUnreachable()).isFalse();
        }
    }

    @Test
    void aRingPartitionAndAnIsolatedHubLoseNothing() {
        start(5);
        long value = 0;
        // Non-transitive: each node reaches its neighbours only.
        for (int phase = 0; phase < 2; phase++) {
            side = phase == 0
                    ? Map.of("n0", 0, "n1", 1, "n2", 1, "n3", 1, "n4", 1)
                    : Map.of("n0", 0, "n1", 0, "n2", 1, "n3", 1, "n4", 2);
            for (int i = 0; i < 20; i++) {
                broadcastAt("n" + (i % 5), value++);
                round();
            }
        }
        side = Map.of();
        settle();
        for (Dissemination node : nodes.values()) {
            assertThat(node.read()).containsExactlyInAnyOrderElementsOf(broadcast);
            assertThat(node.retained()).isZero();
        }
    }

    @Test
    void aTreeWithFanOutThreeDeliversEverythingAndSurvivesACutInnerNode() {
        start(15, 3);
        long value = 0;
        Random random = new Random(3);
        for (int i = 0; i < 10; i++) {
            broadcastAt("n" + random.nextInt(15), value++);
            round();
        }
        settle();
        for (Dissemination node : nodes.values()) {
            assertThat(node.read()).containsExactlyInAnyOrderElementsOf(broadcast);
        }
        // n1 relays to n4, n5, n6: cut it off, then heal.
        side = Map.of("n1", 1);
        for (int i = 0; i < 30; i++) {
            broadcastAt("n" + random.nextInt(15), value++);
            round();
        }
        side = Map.of();
        settle();
        for (Dissemination node : nodes.values()) {
            assertThat(node.read()).containsExactlyInAnyOrderElementsOf(broadcast);
            assertThat(node.retained()).isZero();
        }
    }

    @Test
    void steadyLoadCostsAboutOneUplinkPerValueAndOneRelayPerLeafPerWindow() {
        start(25);
        Random random = new Random(7);
        long value = 0;
        int windows = 100;
        for (int i = 0; i < windows; i++) {
            for (int b = 0; b < 5; b++) {
                broadcastAt("n" + random.nextInt(25), value++);
            }
            round();
        }
        long beforeQuiet = sent;
        settle();
        for (Dissemination node : nodes.values()) {
            assertThat(node.read()).hasSameSizeAs(broadcast);
        }
        // Per window: 24 relay messages, about one uplink per value (5), some bare acks from leaves
        // that had nothing to send for ACK_DELAY windows; never a redelivery.
        assertThat(beforeQuiet).isLessThanOrEqualTo((long) windows * (24 + 5 + 6));
        assertThat(redeliveries).isZero();
        assertThat(sent - beforeQuiet).as("the tail: last relay and bare acks").isLessThanOrEqualTo(2 * 24 + 10);
    }

    @Test
    void memoryStaysFlatInALongRunWhateverWasSentBefore() {
        start(25);
        Random random = new Random(11);
        long value = 0;
        int mostRetained = 0;
        for (int i = 0; i < 2000; i++) {
            for (int b = 0; b < 5; b++) {
                broadcastAt("n" + random.nextInt(25), value++);
            }
            round();
            if (i >= 100) {
                for (Dissemination node : nodes.values()) {
                    mostRetained = Math.max(mostRetained, node.retained());
                }
            }
        }
        // 10,000 values went through; a node only ever holds the few windows not yet acknowledged.
        assertThat(mostRetained).isLessThanOrEqualTo(5 * (ACK_DELAY + 4));
        settle();
        nodes.values().forEach(node -> assertThat(node.retained()).isZero());
    }
}
