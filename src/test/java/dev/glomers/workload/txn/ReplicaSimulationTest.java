package dev.glomers.workload.txn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.cluster.check.TxnChecker;
import dev.glomers.cluster.check.TxnOp;
import dev.glomers.cluster.load.TxnGenerator;
import dev.glomers.workload.txn.ReplicationLog.Entry;
import dev.glomers.workload.txn.TxnStore.Committed;
import dev.glomers.workload.txn.TxnStore.Outcome;
import dev.glomers.workload.txn.TxnStore.Write;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replicas of the pure core on a simulated network that drops, duplicates, reorders and partitions
 * messages, driven by a seeded random schedule (no threads, no sleeps). Checks, against ground truth
 * (every write's real version is known here):
 * <ul>
 * <li>the history passes the checker for every model we claim;</li>
 * <li>atomic visibility (monotonic atomic view / read atomic): once a transaction observed a
 *     transaction T, each key T wrote reads as T's version or a newer one, never an older one;</li>
 * <li>a writing transaction is versioned after every transaction it observed (the Lamport argument
 *     behind no G0 / G1c);</li>
 * <li>after the network heals, every replica holds the same state.</li>
 * </ul>
 */
class ReplicaSimulationTest {

    private record Packet(String from, String to, List<Entry> entries, long ack) {
    }

    private static final class Replica {
        final String id;
        final TxnStore store;
        final ReplicationLog log;

        Replica(String id, List<String> peers) {
            this.id = id;
            this.store = new TxnStore(id);
            this.log = new ReplicationLog(peers);
        }
    }

    private final Map<String, Replica> replicas = new HashMap<>();
    private final List<Packet> inFlight = new ArrayList<>();
    private final List<TxnOp> history = new ArrayList<>();
    private final List<Outcome> outcomes = new ArrayList<>();
    private final Map<String, Version> versionOf = new HashMap<>(); // "key=value" -> version of its writer
    private Random random;
    private boolean partitioned;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void replicasStayAtomicallyVisibleAndConverge(long seed) {
        random = new Random(seed);
        List<String> ids = List.of("n0", "n1", "n2");
        for (String id : ids) {
            replicas.put(id, new Replica(id, ids.stream().filter(other -> !other.equals(id)).toList()));
        }
        TxnGenerator generator = new TxnGenerator(seed, 4, 4, 16);
        for (int step = 0; step < 4000; step++) {
            int dice = random.nextInt(100);
            if (dice < 45) {
                int node = random.nextInt(ids.size());
                runClientTxn(node, replicas.get(ids.get(node)), generator.next());
            } else if (dice < 65) {
                Replica replica = replicas.get(ids.get(random.nextInt(ids.size())));
                flush(replica, anyPeer(replica, ids));
            } else if (dice < 97) {
                deliverOne();
            } else {
                partitioned = !partitioned;
            }
        }
        partitioned = false;
        for (int round = 0; round < 50 && !quiet(ids); round++) {
            for (String id : ids) {
                for (String peer : ids) {
                    if (!peer.equals(id)) {
                        flush(replicas.get(id), peer);
                    }
                }
            }
            while (!inFlight.isEmpty()) {
                deliver(inFlight.remove(0), false);
            }
        }

        assertThat(quiet(ids)).as("every replica acknowledged everything").isTrue();
        for (String id : ids) {
            assertThat(replicas.get(id).store.snapshot()).as("%s converged", id).isEqualTo(replicas.get("n0").store.snapshot());
        }
        TxnChecker.Result result = TxnChecker.check(history, List.of("read-atomic", "strong-session-read-committed"));
        assertThat(result.anomalies()).isEmpty();
        assertThat(result.valid()).isTrue();
        checkAtomicVisibility();
    }

    private String anyPeer(Replica replica, List<String> ids) {
        List<String> peers = ids.stream().filter(other -> !other.equals(replica.id)).toList();
        return peers.get(random.nextInt(peers.size()));
    }

    private void runClientTxn(int process, Replica replica, List<MicroOp> txn) {
        Outcome outcome = replica.store.execute(txn);
        if (outcome.committed() != null) {
            replica.log.append(outcome.committed());
            for (Write write : outcome.committed().writes()) {
                versionOf.put(write.key() + "=" + write.value(), outcome.committed().version());
            }
        }
        history.add(new TxnOp(process, TxnOp.Status.OK, outcome.completed()));
        outcomes.add(outcome);
    }

    private void flush(Replica replica, String peer) {
        List<Entry> batch = replica.log.unacked(peer, 1 + random.nextInt(20));
        inFlight.add(new Packet(replica.id, peer, batch, replica.log.takeAck(peer)));
    }

    private void deliverOne() {
        if (inFlight.isEmpty()) {
            return;
        }
        Packet packet = inFlight.remove(random.nextInt(inFlight.size())); // any order
        if (random.nextInt(10) == 0) {
            inFlight.add(packet); // and sometimes twice
        }
        deliver(packet, partitioned && (packet.from().equals("n0") || packet.to().equals("n0")));
    }

    private void deliver(Packet packet, boolean cut) {
        if (cut) {
            return;
        }
        Replica to = replicas.get(packet.to());
        for (Entry fresh : to.log.receive(packet.from(), packet.entries(), packet.ack())) {
            to.store.merge(fresh.committed());
        }
    }

    private boolean quiet(List<String> ids) {
        return ids.stream().allMatch(id -> replicas.get(id).log.backlog() == 0);
    }

    private void checkAtomicVisibility() {
        Map<Version, Committed> committedAt = new HashMap<>();
        outcomes.stream().filter(outcome -> outcome.committed() != null)
                .forEach(outcome -> committedAt.put(outcome.committed().version(), outcome.committed()));
        for (Outcome outcome : outcomes) {
            Map<String, Version> externalReads = new HashMap<>();
            Map<String, Boolean> ownWrite = new HashMap<>();
            List<Version> observed = new ArrayList<>();
            for (MicroOp op : outcome.completed()) {
                String key = op.key().toString();
                if (op.isWrite()) {
                    ownWrite.put(key, true);
                } else if (!ownWrite.containsKey(key) && !externalReads.containsKey(key)) {
                    Version version = op.value().isNull() ? null : versionOf.get(key + "=" + op.value());
                    externalReads.put(key, version);
                    if (version != null) {
                        observed.add(version);
                    }
                }
            }
            for (Version seen : observed) {
                for (Write write : committedAt.get(seen).writes()) {
                    String key = write.key().toString();
                    if (externalReads.containsKey(key)) {
                        Version read = externalReads.get(key);
                        assertThat(read != null && read.compareTo(seen) >= 0)
                                .as("fractured read: %s observed %s but read key %s at %s", outcome.completed(), seen, key, read)
                                .isTrue();
                    }
                }
                if (outcome.committed() != null) {
                    assertThat(outcome.committed().version().isAfter(seen)).isTrue();
                }
            }
        }
    }
}
