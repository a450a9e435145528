package dev.glomers.workload.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.History;
import dev.glomers.cluster.Op;
import dev.glomers.cluster.check.SetFullChecker;
import dev.glomers.sim.Simulation;
import dev.glomers.sim.Simulation.Latency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The shipped broadcast nodes with data directories in the simulation (the durable driver, the simulated
 * disk that keeps only what was synced and may tear the last write): random crashes mid-step and mid-sync,
 * restarts, pauses, partitions, drops; the history is checked by the runner's set-full checker, and no
 * node's read ever misses a value it acknowledged or showed before, in any run.
 */
class BroadcastDurableSimulationTest {

    private static final int NODES = 5;

    private static List<String> run(String profiles, long seed) {
        List<String> problems = new ArrayList<>();
        try (Simulation sim = Simulation.startDurable(profiles, NODES, seed)) {
            sim.latency(Duration.ofMillis(100), Latency.UNIFORM).syncLatency(Duration.ofMillis(2)).dropRate(0.02);
            History history = new History();
            Map<String, Set<Long>> shown = new HashMap<>();
            sim.nodeIds().forEach(id -> shown.put(id, new HashSet<>()));
            long[] next = {0};
            int[] process = {0};
            long end = sim.time().millis() + 15_000;
            while (sim.time().millis() < end) {
                for (int i = 0; i < 10; i++) {
                    String node = "n" + sim.random().nextInt(NODES);
                    boolean read = sim.random().nextInt(4) == 0;
                    long value = next[0]++;
                    sim.after(Duration.ofMillis(sim.random().nextInt(100)), () -> {
                        if (sim.isUp(node)) {
                            request(sim, history, process[0]++, node, read, value, false, shown.get(node), problems);
                        }
                    });
                }
                if (sim.random().nextInt(4) == 0) {
                    String victim = "n" + sim.random().nextInt(NODES);
                    sim.after(Duration.ofNanos(sim.random().nextInt(100_000_000)), () -> sim.crash(victim));
                    sim.after(Duration.ofMillis(100 + sim.random().nextInt(2500)), () -> {
                        if (!sim.isUp(victim)) {
                            sim.restart(victim);
                        }
                    });
                } else if (sim.random().nextInt(6) == 0) {
                    String paused = "n" + sim.random().nextInt(NODES);
                    sim.pause(paused);
                    sim.after(Duration.ofMillis(sim.random().nextInt(1500)), () -> sim.resume(paused));
                } else if (sim.random().nextInt(6) == 0) {
                    sim.partitionOrHealAtRandom();
                }
                sim.runFor(Duration.ofMillis(100));
            }
            sim.runFor(Duration.ofSeconds(3)); // pending restarts and resumes happen
            sim.heal().dropRate(0);
            sim.nodeIds().stream().filter(id -> !sim.isUp(id)).forEach(sim::restart);
            sim.runFor(Duration.ofSeconds(10));
            for (String node : sim.nodeIds()) {
                request(sim, history, process[0]++, node, true, 0, true, shown.get(node), problems);
            }
            sim.runFor(Duration.ofSeconds(1));
            List<CheckResult> results = new SetFullChecker("broadcast").check(history);
            results.stream().filter(result -> result.verdict() != CheckResult.Verdict.VALID)
                    .forEach(result -> problems.add(result.name() + ": " + result.summary()));
            long finalReads = history.ops().stream().filter(op -> op.finalRead() && op.isOk()).count();
            if (finalReads != NODES) {
                problems.add("only " + finalReads + " final reads answered");
            }
        }
        return problems;
    }

    private static void request(Simulation sim, History history, int process, String node, boolean read, long value,
                                boolean finalRead, Set<Long> shown, List<String> problems) {
        long invokedAt = sim.time().elapsedNanos();
        Op invocation = history.invoke(process, read ? "read" : "broadcast", read ? null : LongNode.valueOf(value),
                invokedAt, node, finalRead);
        Set<Long> before = Set.copyOf(shown);
        String body = read ? "{\"type\":\"read\"}" : "{\"type\":\"broadcast\",\"message\":" + value + "}";
        sim.request(node, body).thenAccept(reply -> {
            if (reply.type().equals("broadcast_ok")) {
                history.complete(invocation, Op.Type.OK, LongNode.valueOf(value), sim.time().elapsedNanos(), null);
                shown.add(value);
            } else if (reply.type().equals("read_ok")) {
                JsonNode messages = reply.body().get("messages");
                history.complete(invocation, Op.Type.OK, messages, sim.time().elapsedNanos(), null);
                Set<Long> read2 = new HashSet<>();
                messages.forEach(message -> read2.add(message.asLong()));
                if (!read2.containsAll(before)) {
                    Set<Long> missing = new HashSet<>(before);
                    missing.removeAll(read2);
                    problems.add(node + " read without " + missing + ", which it had acknowledged or shown before");
                }
                shown.addAll(read2);
            } else {
                history.complete(invocation, Op.Type.FAIL, null, sim.time().elapsedNanos(), reply.body().toString());
            }
        });
    }

    @Test
    void theDefaultStarKeepsEveryAcknowledgedValueThroughCrashesPausesAndPartitions() {
        for (long seed = 1; seed <= 3; seed++) {
            assertThat(run("broadcast", seed)).as("seed %d", seed).isEmpty();
        }
    }

    @Test
    void theFrugalStarKeepsEveryAcknowledgedValueThroughCrashesPausesAndPartitions() {
        for (long seed = 1; seed <= 3; seed++) {
            assertThat(run("broadcast,frugal", seed)).as("seed %d", seed).isEmpty();
        }
    }
}
