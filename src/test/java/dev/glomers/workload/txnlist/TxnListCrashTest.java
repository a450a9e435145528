package dev.glomers.workload.txnlist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.node.CoreDriver;
import dev.glomers.raft.RaftProperties;
import dev.glomers.retry.Backoff;
import dev.glomers.retry.Retries;
import dev.glomers.sim.SimulatedClients;
import dev.glomers.sim.Simulation;
import dev.glomers.workload.linkv.LinKvCrashTest;
import dev.glomers.workload.linkv.LinKvWorkload;
import io.github.resilience4j.retry.Retry;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Durable txn-list-append nodes under the crash, restart, pause and partition schedule of {@link LinKvCrashTest}: strict serializable. */
class TxnListCrashTest {

    private static RaftProperties settings;
    private static Retry reforward;

    @BeforeAll
    static void productSettings() {
        try (Simulation sim = Simulation.start("txn-list-append", 1, 0)) {
            settings = sim.bean("n0", RaftProperties.class);
            reforward = sim.bean("n0", Retries.class).policy(LinKvWorkload.REFORWARD);
        }
    }

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 40);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void historiesUnderCrashesRestartsAndPausesAreStrictSerializable(long seed) {
        run(seed, settings);
    }

    /** The same with a snapshot every 7 applied entries: compaction, InstallSnapshot and recovery from a snapshot all the time. */
    @ParameterizedTest
    @MethodSource("snapshotSeeds")
    void historiesUnderCrashesRestartsAndPausesAreStrictSerializableWithSnapshotsAllTheTime(long seed) {
        run(seed, settings.withSnapshots(7, 1024));
    }

    static LongStream snapshotSeeds() {
        return LongStream.rangeClosed(1, 20);
    }

    private static void run(long seed, RaftProperties settings) {
        int nodes = seed % 2 == 0 ? 3 : 5;
        try (Simulation sim = Simulation.startWiredDurable(nodes, seed,
                node -> CoreDriver.drive(node, () -> TxnListWorkload.core(node, settings, new Backoff(reforward))))) {
            sim.latency(Duration.ofMillis(2), Simulation.Latency.EXPONENTIAL).dropRate(0.02).duplicateRate(0.02)
                    .syncLatency(Duration.ofMillis(2));
            sim.runFor(Duration.ofSeconds(1));
            int[] counter = {0};
            SimulatedClients load = SimulatedClients.atRate(sim, 3 * nodes, 100, Duration.ofSeconds(1),
                    random -> TxnListSimulationTest.nextTxn(random, counter));
            Set<String> crashed = new HashSet<>();
            Set<String> paused = new HashSet<>();
            for (int phase = 0; phase < 8; phase++) {
                sim.after(Duration.ofMillis(sim.random().nextInt(300)), () -> LinKvCrashTest.fault(sim, crashed, paused));
                sim.runFor(Duration.ofMillis(300 + sim.random().nextInt(700)));
            }
            LinKvCrashTest.endFaults(sim, crashed, paused);
            sim.runFor(Duration.ofSeconds(3));
            load.stop();
            sim.runFor(Duration.ofSeconds(2));
            List<SimulatedClients.Call> calls = load.calls();
            TxnListSimulationTest.assertStrictSerializable(calls, seed);
            assertThat(calls).as("seed %d", seed).anyMatch(call -> !call.timedOut() && call.reply().type().equals("txn_ok"));
        }
    }
}
