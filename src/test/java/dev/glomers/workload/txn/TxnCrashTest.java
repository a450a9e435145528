package dev.glomers.workload.txn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.check.TxnChecker;
import dev.glomers.cluster.check.TxnOp;
import dev.glomers.cluster.load.TxnGenerator;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.workload.CrashCluster;
import dev.glomers.workload.txn.TxnStore.Register;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Durable txn-rw-register cores crashed at random points (the disk keeping only what was synced) and
 * restarted, under a closed-loop client load of the workbench's shape with drops: nothing a node showed
 * (a txn_ok, a batch, an acknowledgement) is missing after its restart, no version is used twice,
 * replication resumes and the replicas converge, and the history is valid for read committed, read atomic
 * and strong session read committed. A node that does not persist fails the same check.
 */
class TxnCrashTest {

    private static final List<String> NODES = List.of("n0", "n1", "n2");
    private static final TxnProperties SETTINGS = new TxnProperties(
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(300), 2000);

    private static Retry policy() {
        return Retry.of("txn-replicate", RetryConfig.custom()
                .maxAttempts(Integer.MAX_VALUE)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(100), 2, Duration.ofSeconds(1)))
                .retryOnException(failure -> failure instanceof RpcError error && error.code() == 0)
                .failAfterMaxAttempts(false)
                .build());
    }

    /** One run: load, random crashes and restarts, then a quiet heal; what it found. */
    private static final class Run {
        final CrashCluster cluster;
        final TxnGenerator generator;
        final List<TxnOp> history = new ArrayList<>();
        /** Per node, its registers and clock at its last sync: everything it had shown by then. */
        final Map<String, Map<JsonNode, Register>> shown = new HashMap<>();
        final Map<String, Long> shownClock = new HashMap<>();
        final List<String> lostAfterRestart = new ArrayList<>();
        final Map<String, String> writesOfVersion = new HashMap<>();
        final List<String> reusedVersions = new ArrayList<>();
        int restarts;
        boolean crashes = true;

        Run(long seed, boolean forgetful) {
            cluster = new CrashCluster(NODES, id -> new TxnCore(id, NODES, SETTINGS, policy()), forgetful, seed);
            generator = TxnGenerator.defaults(seed);
            cluster.dropRate = 0.05;
            cluster.afterSync = (id, core) -> {
                if (!crashes) {
                    return;
                }
                TxnStore store = ((TxnCore) core).store();
                shown.put(id, store.snapshot());
                shownClock.put(id, store.clock());
            };
        }

        void play(long millis) {
            Map<String, Integer> client = new HashMap<>();
            Map<Integer, List<Object>> outstanding = new HashMap<>(); // process -> [node, ops, index]
            int[] nextProcess = {0};
            cluster.toClients = reply -> {
                int process = Integer.parseInt(reply.dest().substring(1));
                List<Object> pending = outstanding.remove(process);
                if (pending == null) {
                    return;
                }
                int index = (Integer) pending.get(2);
                history.set(index, "txn_ok".equals(reply.type())
                        ? new TxnOp(process, TxnOp.Status.OK, MicroOp.parseAll(reply.body().get("txn")))
                        : history.get(index));
            };
            for (long end = cluster.now() + millis; cluster.now() < end; ) {
                for (String node : NODES) {
                    int process = client.computeIfAbsent(node, n -> nextProcess[0]++);
                    if (outstanding.containsKey(process) || !cluster.isUp(node) || cluster.random().nextInt(4) != 0) {
                        continue;
                    }
                    List<MicroOp> ops = generator.next();
                    ObjectNode body = Wire.JSON.createObjectNode();
                    body.put("type", "txn").put("msg_id", history.size() + 1);
                    body.set("txn", MicroOp.toJson(ops));
                    outstanding.put(process, List.of(node, ops, history.size()));
                    history.add(new TxnOp(process, TxnOp.Status.INFO, ops)); // until answered
                    cluster.request(node, new Message("c" + process, node, body));
                }
                maybeCrash();
                cluster.run(1);
                observeWire();
                // A client whose node crashed gives up on its request and goes on as a new process, as the workbench's do.
                for (String node : NODES) {
                    int process = client.get(node);
                    if (!cluster.isUp(node) && outstanding.remove(process) != null) {
                        client.put(node, nextProcess[0]++);
                    }
                }
            }
        }

        private void maybeCrash() {
            for (String node : NODES) {
                if (!crashes) {
                    return;
                }
                if (cluster.isUp(node) && cluster.random().nextInt(1500) == 0) {
                    cluster.crash(node);
                } else if (!cluster.isUp(node) && cluster.random().nextInt(300) == 0) {
                    TxnStore recovered = ((TxnCore) cluster.restart(node)).store();
                    restarts++;
                    shown.getOrDefault(node, Map.of()).forEach((key, before) -> {
                        Register after = recovered.registerOf(key);
                        if (after == null || before.version().isAfter(after.version())) {
                            lostAfterRestart.add(node + " key " + key + ": showed " + before + ", recovered " + after);
                        }
                    });
                    if (recovered.clock() < shownClock.getOrDefault(node, 0L)) {
                        lostAfterRestart.add(node + " clock went back to " + recovered.clock());
                    }
                }
            }
        }

        private void observeWire() {
            for (Message message : cluster.wire) {
                for (JsonNode txn : message.body().path("txns")) {
                    String version = message.src() + "@" + txn.get("clock").asLong();
                    String writes = txn.get("writes").toString();
                    String before = writesOfVersion.putIfAbsent(version, writes);
                    if (before != null && !before.equals(writes)) {
                        reusedVersions.add(version + ": " + before + " then " + writes);
                    }
                }
            }
            cluster.wire.clear();
        }

        void healAndSettle() {
            NODES.stream().filter(node -> !cluster.isUp(node)).forEach(cluster::restart);
            cluster.dropRate = 0;
            cluster.run(5000);
            observeWire();
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void nothingShownIsLostAcrossCrashesAndTheHistoryStaysReadCommitted(long seed) {
        Run run = new Run(seed, false);
        run.play(6000);
        run.healAndSettle();

        assertThat(run.restarts).as("crashes happened").isGreaterThan(0);
        assertThat(run.lostAfterRestart).isEmpty();
        assertThat(run.reusedVersions).as("a version names one transaction").isEmpty();
        long ok = run.history.stream().filter(op -> op.status() == TxnOp.Status.OK).count();
        assertThat(ok).isGreaterThan(2000);
        TxnChecker.Result result = TxnChecker.check(run.history,
                List.of("read-committed", "read-atomic", "strong-session-read-committed"));
        assertThat(result.anomalies()).isEmpty();
        assertThat(result.valid()).isTrue();
        Map<JsonNode, Register> first = ((TxnCore) run.cluster.core("n0")).store().snapshot();
        for (String node : NODES) {
            assertThat(((TxnCore) run.cluster.core(node)).store().snapshot()).as("replicas converged after restarts").isEqualTo(first);
        }
    }

    @Test
    void aNodeThatDoesNotPersistIsCaught() {
        int caught = 0;
        for (long seed = 1; seed <= 4; seed++) {
            Run run = new Run(seed, true);
            run.play(6000);
            if (!run.lostAfterRestart.isEmpty()) {
                caught++;
            }
        }
        assertThat(caught).as("runs in which the forgetful node lost what it had shown").isEqualTo(4);
    }

    @Test
    void theDataDirectoryStaysBoundedBySnapshots() {
        Run run = new Run(11, false);
        run.crashes = false;
        run.play(10000);
        for (String node : NODES) {
            int bound = Math.max(TxnJournal.MIN_RECORDS_PER_SNAPSHOT, 2 * ((TxnCore) run.cluster.core(node)).store().size()) + 2000;
            assertThat(run.cluster.recorder(node).recordsOnDisk()).as(node + " records after its last snapshot").isLessThanOrEqualTo(bound);
        }
        assertThat(NODES.stream().anyMatch(node -> run.cluster.recorder(node).hasSnapshot())).isTrue();
    }
}
