package dev.glomers.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Delivery across restarts: incarnations, floors, stale parcels; parcels carried by hand, time given explicitly. */
class DeliveryRestartTest {

    private static final Delivery.Timing TIMING = new Delivery.Timing(1000, 2000, Integer.MAX_VALUE);

    /** One log read by every peer, as incarnation {@code incarnation}. */
    private static Delivery<String> node(List<String> peers, long incarnation) {
        Delivery<String> delivery = new Delivery<>(peers, List.of(peers), TIMING, DeliveryTest.policy(0));
        delivery.incarnate(incarnation);
        return delivery;
    }

    @Test
    void aRestartedReceiverIsResentWhatItNeverAcknowledgedAndStartsHoldingAtItsFloor() {
        Delivery<String> a = node(List.of("b"), 1);
        Delivery<String> b = node(List.of("a"), 1);
        a.append(0, "x");
        a.append(0, "y");
        b.receive("a", a.next("b", 0), 10);
        b.append(0, "q");
        a.receive("b", b.next("a", 20), 30); // acknowledges x, y; brings q
        assertThat(a.retained()).isZero();
        a.append(0, "z");
        Parcel<String> toOldB = a.next("b", 40); // z, and the acknowledgement of q: b dies before it arrives

        Delivery<String> b2 = node(List.of("a"), 2);
        b2.announce();
        assertThat(b2.wakeAt()).isEqualTo(Long.MIN_VALUE);
        List<Parcel<String>> hello = new ArrayList<>();
        b2.tick(100, (peer, parcel) -> hello.add(parcel));
        assertThat(hello).singleElement().satisfies(parcel -> assertThat(parcel.incarnation()).isEqualTo(2));

        // The old parcel arrives first: z waits for its floor; the acknowledgement is of b's old log, not b2's.
        b2.append(0, "new");
        Parcel<String> b2Sent = b2.next("a", 100);
        assertThat(b2.receive("a", toOldB, 110).fresh(0)).isEmpty();
        assertThat(b2.acked("a", 0)).isZero();
        assertThat(b2.retained()).isEqualTo(1);

        Receipt<String> seen = a.receive("b", hello.get(0), 120);
        assertThat(seen.peerRestarted()).isTrue();
        assertThat(a.held("b", 0)).isZero(); // b2 numbers from 1: "new" is not taken for q's duplicate
        assertThat(a.receive("b", b2Sent, 125).fresh(0)).containsExactly("new");
        assertThat(a.hasUnsent("b")).isTrue(); // z: sent only to the dead incarnation
        Parcel<String> resend = a.next("b", 130);
        assertThat(resend.slice(0).from()).isEqualTo(3);
        assertThat(resend.slice(0).entries()).containsExactly("z");
        assertThat(resend.floors()).containsExactly(2L);
        assertThat(resend.peerIncarnation()).isEqualTo(2);

        assertThat(b2.receive("a", resend, 140).fresh(0)).containsExactly("z");
        assertThat(b2.held("a", 0)).isEqualTo(3);
        assertThat(b2.acked("a", 0)).isEqualTo(1);
        assertThat(b2.retained()).isZero();
        assertThat(a.receive("b", b2.next("a", 150), 160).ackProgress()).isTrue();
        assertThat(a.retained()).isZero();
        a.append(0, "w");
        assertThat(a.next("b", 170).floors()).isEmpty(); // b2 caught up: floors say nothing any more
    }

    @Test
    void aRestartedSenderNumbersFromOneAndParcelsOfItsOldRunAreIgnored() {
        Delivery<String> a = node(List.of("b"), 1);
        Delivery<String> b = node(List.of("a"), 1);
        a.append(0, "x");
        b.receive("a", a.next("b", 0), 10);
        b.append(0, "q");
        a.receive("b", b.next("a", 20), 30);
        b.receive("a", a.next("b", 35), 36); // a acknowledges q
        a.append(0, "late");
        Parcel<String> delayed = a.next("b", 40); // still in flight when a dies

        Delivery<String> a2 = node(List.of("b"), 2);
        a2.append(0, "u");
        Receipt<String> receipt = b.receive("a", a2.next("b", 100), 110);
        assertThat(receipt.peerRestarted()).isTrue();
        assertThat(receipt.fresh(0)).containsExactly("u");
        Receipt<String> stale = b.receive("a", delayed, 120);
        assertThat(stale.fresh(0)).isEmpty();
        assertThat(stale.ackProgress()).isFalse();

        // b tells a2 where to hold b's log from: q was acknowledged by a's first run.
        b.append(0, "r");
        Parcel<String> toA2 = b.next("a", 130);
        assertThat(toA2.floors()).containsExactly(1L);
        assertThat(a2.receive("b", toA2, 140).fresh(0)).containsExactly("r");
        assertThat(a2.acked("b", 0)).isEqualTo(1);
        b.receive("a", a2.next("b", 150), 160);
        assertThat(b.retained()).isZero();
    }

    @Test
    void aSuspectPeerThatComesBackAsANewIncarnationIsResentAtOnce() {
        Delivery<String> a = node(List.of("b"), 1);
        Delivery<String> b = node(List.of("a"), 1);
        a.append(0, "x");
        b.receive("a", a.next("b", 0), 10);
        a.receive("b", b.next("a", 10), 20);
        a.append(0, "y");
        a.next("b", 100); // lost: b is down
        a.tick(2100, (peer, parcel) -> { });
        assertThat(a.isSuspect("b")).isTrue();

        Delivery<String> b2 = node(List.of("a"), 2);
        b2.announce();
        List<Parcel<String>> hello = new ArrayList<>();
        b2.tick(3000, (peer, parcel) -> hello.add(parcel));
        a.receive("b", hello.get(0), 3010);
        assertThat(a.isSuspect("b")).isFalse();
        assertThat(a.wakeAt()).isEqualTo(Long.MAX_VALUE); // no redelivery timer: the regular batch goes now
        Parcel<String> resend = a.next("b", 3010);
        assertThat(b2.receive("a", resend, 3020).fresh(0)).containsExactly("y");
    }

    /**
     * Three nodes, random appends, losses, duplicates, reordering and crashes (a crashed node keeps only what
     * its core persisted: the values it applied or appended; it restarts as the next incarnation and
     * re-offers them all). Once the network delivers again, every value any node ever held reaches all of
     * them and nothing stays retained: nobody waits for a seq nobody will send.
     */
    @Test
    void randomCrashesAndLossesNeverLeaveAPeerWaitingForever() {
        for (int seed = 1; seed <= 300; seed++) {
            new Mesh(seed).run();
        }
    }

    private static final class Mesh {
        private final Random random;
        private final List<String> ids = List.of("a", "b", "c");
        private final Map<String, Delivery<String>> nodes = new TreeMap<>();
        private final Map<String, Set<String>> durable = new TreeMap<>();
        private final Map<String, Long> incarnations = new TreeMap<>();
        private final List<String[]> inFlightDest = new ArrayList<>();
        private final List<Parcel<String>> inFlight = new ArrayList<>();
        private final int seed;
        private long now;
        private int values;

        Mesh(int seed) {
            this.seed = seed;
            this.random = new Random(seed);
            ids.forEach(id -> {
                durable.put(id, new LinkedHashSet<>());
                incarnations.put(id, 1L);
                nodes.put(id, node(peersOf(id), 1));
            });
        }

        private List<String> peersOf(String id) {
            return ids.stream().filter(other -> !other.equals(id)).toList();
        }

        void run() {
            for (int step = 0; step < 400; step++) {
                now += random.nextInt(300);
                int action = random.nextInt(100);
                String id = ids.get(random.nextInt(ids.size()));
                if (action < 25) {
                    String value = "v" + values++;
                    durable.get(id).add(value); // persisted before anything that depends on it leaves
                    nodes.get(id).append(0, value);
                } else if (action < 35) {
                    sendRegular(id);
                } else if (action < 75) {
                    deliverOne(random.nextInt(10) < 3, random.nextInt(10) < 1);
                } else if (action < 95) {
                    tick(id);
                } else {
                    crash(id);
                }
            }
            // The network heals: everything in flight and all that follows arrives.
            for (int round = 0; round < 200 && !quiet(); round++) {
                now += 100;
                ids.forEach(this::sendRegular);
                ids.forEach(this::tick);
                while (!inFlight.isEmpty()) {
                    deliverOne(false, false);
                }
            }
            Set<String> everything = new LinkedHashSet<>();
            durable.values().forEach(everything::addAll);
            for (String id : ids) {
                assertThat(durable.get(id)).as("seed %d, node %s", seed, id).containsExactlyInAnyOrderElementsOf(everything);
                assertThat(nodes.get(id).retained()).as("seed %d, node %s retained", seed, id).isZero();
            }
        }

        private boolean quiet() {
            return inFlight.isEmpty() && nodes.values().stream().allMatch(node -> node.retained() == 0 && node.wakeAt() == Long.MAX_VALUE);
        }

        private void sendRegular(String id) {
            Delivery<String> node = nodes.get(id);
            for (String peer : node.peers()) {
                if (node.hasUnsent(peer) && !node.isSuspect(peer)) {
                    enqueue(id, peer, node.next(peer, now));
                }
            }
        }

        private void tick(String id) {
            Delivery<String> node = nodes.get(id);
            if (node.wakeAt() <= now) {
                node.tick(now, (peer, parcel) -> enqueue(id, peer, parcel));
            }
        }

        private void enqueue(String from, String to, Parcel<String> parcel) {
            inFlightDest.add(new String[] {from, to});
            inFlight.add(parcel);
        }

        private void deliverOne(boolean lose, boolean duplicate) {
            if (inFlight.isEmpty()) {
                return;
            }
            int index = random.nextInt(inFlight.size()); // any order
            String[] route = duplicate ? inFlightDest.get(index) : inFlightDest.remove(index);
            Parcel<String> parcel = duplicate ? inFlight.get(index) : inFlight.remove(index);
            if (!lose) {
                Receipt<String> receipt = nodes.get(route[1]).receive(route[0], parcel, now);
                durable.get(route[1]).addAll(receipt.fresh(0)); // applied and persisted before any ack leaves
            }
        }

        /** The node loses its memory; its core recovers its values, runs as the next incarnation and re-offers them. */
        private void crash(String id) {
            long incarnation = incarnations.merge(id, 1L, Long::sum);
            Delivery<String> node = node(peersOf(id), incarnation);
            durable.get(id).forEach(value -> node.append(0, value));
            node.announce();
            nodes.put(id, node);
        }
    }
}
