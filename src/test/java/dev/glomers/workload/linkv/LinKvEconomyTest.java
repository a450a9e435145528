package dev.glomers.workload.linkv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.node.Message;
import dev.glomers.sim.ClientLoad;
import dev.glomers.sim.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Message economy and latency of Spring-wired lin-kv nodes on the load shapes, in virtual time
 * (loopback-like latency: exponential, 0.5 ms mean). Msgs-per-op counts as the workbench's {@code :servers}.
 */
class LinKvEconomyTest {

    record Figures(double msgsPerOp, double okShare, long medianMillis, LinKvHistory.Tally tally) {
    }

    static Figures run(int nodes, int clients, double rate, int seconds, int partitionEverySeconds, long seed) {
        try (Simulation sim = Simulation.start(System.getProperty("linkv.profiles", "lin-kv"), nodes, seed, System.getProperty("linkv.args", "--x=1").split(" "))) {
            sim.latency(Duration.ofNanos(500_000), Simulation.Latency.EXPONENTIAL);
            sim.runFor(Duration.ofSeconds(2));
            java.util.Map<String, Integer> byType = new java.util.TreeMap<>();
            sim.observe(m -> { if (!Message.isClient(m.dest()) && !Message.isClient(m.src())) byType.merge(m.type() + (m.body().has("ops") ? "+ops" : "") + (m.body().has("result") ? "+res" : "") + (m.body().path("entries").size() == 0 && m.type().equals("append_entries") ? "(empty)" : ""), 1, Integer::sum); });
            long before = sim.serverMessages();
            ClientLoad load = ClientLoad.start(sim, clients, rate, Duration.ofSeconds(1), random -> LinKvHistory.nextRequest(random, 3));
            for (int t = 0; t < seconds; t += Math.max(1, partitionEverySeconds)) {
                if (partitionEverySeconds > 0) {
                    if ((t / partitionEverySeconds) % 2 == 0) {
                        List<String> ids = new ArrayList<>(sim.nodeIds());
                        Collections.shuffle(ids, sim.random());
                        sim.partition(ids.subList(0, nodes / 2));
                    } else {
                        sim.heal();
                    }
                }
                sim.runFor(Duration.ofSeconds(Math.max(1, partitionEverySeconds)));
            }
            load.stop();
            sim.heal();
            sim.runFor(Duration.ofSeconds(2));
            List<ClientLoad.Call> calls = load.calls();
            System.err.println("FIGURES by type " + byType);
            LinKvHistory.Tally tally = LinKvHistory.tally(calls);
            List<Long> latencies = calls.stream().filter(call -> !call.timedOut()).map(ClientLoad.Call::latencyMillis).sorted().toList();
            LinKvHistory.byKey(calls).forEach((key, history) ->
                    assertThat(CasRegisterChecker.linearizable(history)).as("key %d", key).isTrue());
            return new Figures((double) (sim.serverMessages() - before) / calls.size(), (double) tally.ok() / tally.total(),
                    latencies.get(latencies.size() / 2), tally);
        }
    }

    @Test
    void rate100ThreeNodesNoPartitions() {
        Figures figures = run(3, 12, 100, 20, 0, 1);
        System.err.println("FIGURES rate 100: " + figures);
    }

    @Test
    void rate100FiveNodesPartitionsEvery3s() {
        Figures figures = run(5, 50, 100, 30, 3, 3);
        System.err.println("FIGURES 5 nodes rate 100 partitions every 3 s: " + figures);
    }

    @Test
    void rate30ThreeNodesPartitions() {
        Figures figures = run(3, 12, 30, 60, 10, 2);
        System.err.println("FIGURES rate 30 partitions: " + figures);
    }
}
