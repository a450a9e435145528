package dev.glomers.workload.linkv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.node.CoreDriver;
import dev.glomers.node.Message;
import dev.glomers.raft.RaftProperties;
import dev.glomers.retry.Backoff;
import dev.glomers.retry.Retries;
import dev.glomers.sim.SimulatedClients;
import dev.glomers.sim.Simulation;
import io.github.resilience4j.retry.Retry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Durable lin-kv nodes under crashes at any moment (the simulated disk keeps only what was synced and may
 * tear the last write), restarts, pauses and partitions, on 3 and 5 nodes, with kills of one node, a
 * minority, a majority or all of them. Every history must be linearizable: nothing acknowledged is lost,
 * and nothing is answered from a log a restarted node lost. After the last fault the cluster serves again.
 */
public class LinKvCrashTest {

    private static RaftProperties settings;
    private static Retry reforward;

    @BeforeAll
    static void productSettings() {
        try (Simulation sim = Simulation.start("lin-kv", 1, 0)) {
            settings = sim.bean("n0", RaftProperties.class);
            reforward = sim.bean("n0", Retries.class).policy(LinKvWorkload.REFORWARD);
        }
    }

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 60);
    }

    /** One random fault: a partition or heal, crashes of 1, a minority, a majority or all, restarts, a pause or resume. */
    public static void fault(Simulation sim, Set<String> crashed, Set<String> paused) {
        List<String> ids = new ArrayList<>(sim.nodeIds());
        Collections.shuffle(ids, sim.random());
        switch (sim.random().nextInt(5)) {
            case 0 -> sim.partitionOrHealAtRandom();
            case 1 -> {
                int[] sizes = {1, ids.size() / 2, ids.size() / 2 + 1, ids.size()};
                for (String id : ids.subList(0, sizes[sim.random().nextInt(sizes.length)])) {
                    if (crashed.add(id)) {
                        paused.remove(id);
                        sim.crash(id);
                    }
                }
            }
            case 2, 3 -> restartAll(sim, crashed);
            default -> {
                String id = ids.get(0);
                if (!crashed.contains(id) && paused.add(id)) {
                    sim.pause(id);
                } else if (paused.remove(id)) {
                    sim.resume(id);
                }
            }
        }
    }

    public static void restartAll(Simulation sim, Set<String> crashed) {
        crashed.forEach(sim::restart);
        crashed.clear();
    }

    public static void endFaults(Simulation sim, Set<String> crashed, Set<String> paused) {
        restartAll(sim, crashed);
        paused.forEach(sim::resume);
        paused.clear();
        sim.heal();
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void historiesUnderCrashesRestartsAndPausesAreLinearizable(long seed) {
        run(seed, settings);
    }

    /** The same with a snapshot every 7 applied entries: compaction, InstallSnapshot and recovery from a snapshot all the time. */
    @ParameterizedTest
    @MethodSource("snapshotSeeds")
    void historiesUnderCrashesRestartsAndPausesAreLinearizableWithSnapshotsAllTheTime(long seed) {
        run(seed, settings.withSnapshots(7, 64));
    }

    static LongStream snapshotSeeds() {
        return LongStream.rangeClosed(1, 20);
    }

    private static void run(long seed, RaftProperties settings) {
        int nodes = seed % 2 == 0 ? 3 : 5;
        try (Simulation sim = Simulation.startWiredDurable(nodes, seed,
                node -> CoreDriver.drive(node, () -> LinKvWorkload.core(node, settings, new Backoff(reforward))))) {
            sim.latency(Duration.ofMillis(2), Simulation.Latency.EXPONENTIAL).dropRate(0.02).duplicateRate(0.02)
                    .syncLatency(Duration.ofMillis(2));
            sim.runFor(Duration.ofSeconds(1));
            SimulatedClients load = SimulatedClients.atRate(sim, 2 * nodes, 100, Duration.ofSeconds(1),
                    random -> LinKvHistory.nextRequest(random, 3));
            Set<String> crashed = new HashSet<>();
            Set<String> paused = new HashSet<>();
            for (int phase = 0; phase < 8; phase++) {
                // Faults land at any virtual moment, not only between whole steps of the schedule.
                sim.after(Duration.ofMillis(sim.random().nextInt(300)), () -> fault(sim, crashed, paused));
                sim.runFor(Duration.ofMillis(300 + sim.random().nextInt(700)));
            }
            endFaults(sim, crashed, paused);
            load.stop();
            sim.runFor(Duration.ofSeconds(2));
            LinKvHistory.assertLinearizable(load.calls(), seed);

            // Serving again: a write at every node answers within a few election timeouts of the last fault.
            List<CompletableFuture<Message>> writes = new ArrayList<>();
            for (String id : sim.nodeIds()) {
                writes.add(sim.request(id, "{\"type\":\"write\",\"key\":99,\"value\":1}"));
            }
            sim.runUntil(() -> writes.stream().allMatch(w -> w.isDone() && w.join().type().equals("write_ok")), Duration.ofSeconds(3));
            assertThat(writes).as("seed %d: a write at every node after the faults", seed)
                    .allSatisfy(w -> assertThat(w.getNow(null)).isNotNull().satisfies(m -> assertThat(m.type()).isEqualTo("write_ok")));
        }
    }
}
