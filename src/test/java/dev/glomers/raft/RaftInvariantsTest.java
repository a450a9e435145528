package dev.glomers.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.node.CoreDriver;
import dev.glomers.retry.Backoff;
import dev.glomers.retry.Retries;
import dev.glomers.sim.SimulatedClients;
import dev.glomers.sim.Simulation;
import dev.glomers.workload.linkv.KvStateMachine;
import dev.glomers.workload.linkv.LinKvCrashTest;
import dev.glomers.workload.linkv.LinKvWorkload;
import io.github.resilience4j.retry.Retry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The paper's Figure 3 properties, checked every time any node sends a message, on durable lin-kv cores in
 * the simulation under loss, duplication, partitions, crashes at any moment, restarts and pauses:
 * Election Safety (at most one leader per term), Log Matching (two logs with an entry of the same index
 * and term agree up to it), Leader Completeness (a leader holds every entry committed before it) and
 * State Machine Safety (no two nodes commit different entries at one index). With the default windows
 * (10 ms) and the frugal ones (150 ms, the message-saving timing), and with a snapshot every 7 applied
 * entries so that compaction and InstallSnapshot happen all the time (entries under a node's snapshot
 * base are out of its log: the checks cover what each log still holds).
 */
class RaftInvariantsTest {

    static Stream<Arguments> runs() {
        return Stream.of("lin-kv", "lin-kv,frugal").flatMap(profile -> Stream.of(0, 7).flatMap(every ->
                Stream.iterate(1L, s -> s + 1).limit(every == 0 ? 15 : 10).map(seed -> Arguments.of(profile, every, seed))));
    }

    /** Entries a node knew committed, by index, its term then, and how many syncs its disk had done by then. */
    private record Knowledge(Map<Long, Entry<KvStateMachine.Command>> entries, long term, long syncsWhenKnown) {
    }

    /** What the checks remember across the run. */
    private static final class Observer {
        final Map<String, RaftCore<KvStateMachine.Command, KvStateMachine.Result>> cores = new HashMap<>();
        final Map<Long, String> leaderOfTerm = new HashMap<>();
        final Map<Long, Entry<KvStateMachine.Command>> committed = new HashMap<>();
        /**
         * By index, the term of the node that first knew it committed: at least the term it was committed in,
         * so a leader of a later term must hold it (a paused leader of an earlier term need not).
         */
        final Map<Long, Long> committedInTerm = new HashMap<>();
        final Map<Object, Long> checkedUpTo = new IdentityHashMap<>();
        /**
         * What a node (one incarnation: one core) knows committed but may not have synced yet, oldest first. A
         * follower knows the current term's entries committed on receipt (the three-node shortcut), before its
         * copy is on disk; persist before send keeps that knowledge inside the node until a sync covers it, and a
         * crash before that takes it back (the entries were on one disk only, so a later leader need not hold
         * them). So knowledge counts once a sync of the node's disk happened after the node held it.
         */
        final Map<Object, ArrayDeque<Knowledge>> unsynced = new IdentityHashMap<>();
        long checks;
        /** The first violation: thrown inside the simulation's delivery it would not reach the test. */
        AssertionError violation;

        void checkSafely(Simulation sim) {
            if (violation == null) {
                try {
                    check(sim);
                } catch (AssertionError e) {
                    violation = e;
                }
            }
        }

        void check(Simulation sim) {
            checks++;
            Set<String> up = new HashSet<>();
            cores.forEach((id, core) -> {
                if (sim.isUp(id)) {
                    up.add(id);
                }
            });
            for (String id : up) {
                var core = cores.get(id);
                List<Entry<KvStateMachine.Command>> log = core.log();
                long base = core.logBase();
                // State Machine Safety: what this node knows committed (once synced) is what every other node
                // committed there.
                var pending = unsynced.computeIfAbsent(core, c -> new ArrayDeque<>());
                long syncs = sim.disk(id).fileSyncs();
                while (!pending.isEmpty() && pending.peekFirst().syncsWhenKnown() < syncs) {
                    Knowledge known = pending.removeFirst();
                    known.entries().forEach((i, entry) -> {
                        Entry<KvStateMachine.Command> before = committed.putIfAbsent(i, entry);
                        committedInTerm.putIfAbsent(i, known.term());
                        assertThat(entry).as("index %d committed at %s", i, id).isEqualTo(before == null ? entry : before);
                    });
                }
                Map<Long, Entry<KvStateMachine.Command>> newlyKnown = new HashMap<>();
                for (long i = Math.max(base, checkedUpTo.getOrDefault(core, 0L)) + 1; i <= core.commitIndex(); i++) {
                    newlyKnown.put(i, log.get((int) (i - base - 1)));
                }
                if (!newlyKnown.isEmpty()) {
                    pending.addLast(new Knowledge(newlyKnown, core.term(), syncs));
                }
                checkedUpTo.put(core, Math.max(checkedUpTo.getOrDefault(core, 0L), core.commitIndex()));
                if (core.role() == RaftCore.Role.LEADER) {
                    String other = leaderOfTerm.putIfAbsent(core.term(), id);
                    assertThat(other == null ? id : other).as("Election Safety: leaders of term %d", core.term()).isEqualTo(id);
                    // Leader Completeness: every entry committed so far is in its log, at its index.
                    committed.forEach((index, entry) -> assertThat(committedInTerm.get(index) >= core.term() || index <= base
                            || index <= base + log.size() && log.get((int) (index - base - 1)).equals(entry))
                            .as("Leader Completeness: %s leading term %d lacks index %d committed by term %d",
                                    id, core.term(), index, committedInTerm.get(index)).isTrue());
                }
            }
            for (String a : up) {
                for (String b : up) {
                    if (a.compareTo(b) < 0) {
                        assertLogsMatch(cores.get(a), cores.get(b), a, b);
                    }
                }
            }
        }

        /** Over the indexes both logs still hold (above both snapshot bases). */
        private static void assertLogsMatch(RaftCore<KvStateMachine.Command, KvStateMachine.Result> ca,
                                            RaftCore<KvStateMachine.Command, KvStateMachine.Result> cb, String an, String bn) {
            List<Entry<KvStateMachine.Command>> a = ca.log();
            List<Entry<KvStateMachine.Command>> b = cb.log();
            long baseA = ca.logBase();
            long baseB = cb.logBase();
            long from = Math.max(baseA, baseB) + 1;
            for (long i = Math.min(baseA + a.size(), baseB + b.size()); i >= from; i--) {
                if (a.get((int) (i - baseA - 1)).term() == b.get((int) (i - baseB - 1)).term()) {
                    assertThat(a.subList((int) (from - baseA - 1), (int) (i - baseA)))
                            .as("Log Matching: %s and %s agree on term at %d", an, bn, i)
                            .isEqualTo(b.subList((int) (from - baseB - 1), (int) (i - baseB)));
                    return;
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("runs")
    void figure3HoldsAtEveryStepUnderCrashesPausesAndPartitions(String profile, int snapshotEvery, long seed) {
        RaftProperties productSettings;
        Retry reforward;
        try (Simulation product = Simulation.start(profile, 1, 0)) {
            productSettings = product.bean("n0", RaftProperties.class);
            reforward = product.bean("n0", Retries.class).policy(LinKvWorkload.REFORWARD);
        }
        RaftProperties settings = snapshotEvery > 0 ? productSettings.withSnapshots(snapshotEvery, 64) : productSettings;
        int nodes = seed % 2 == 0 ? 3 : 5;
        Observer observer = new Observer();
        try (Simulation sim = Simulation.startWiredDurable(nodes, seed, node -> CoreDriver.drive(node, () -> {
            var core = LinKvWorkload.core(node, settings, new Backoff(reforward));
            observer.cores.put(node.id(), core);
            return core;
        }))) {
            sim.observe(m -> observer.checkSafely(sim));
            sim.latency(Duration.ofMillis(2), Simulation.Latency.EXPONENTIAL).dropRate(0.02).duplicateRate(0.02)
                    .syncLatency(Duration.ofMillis(2));
            sim.runFor(Duration.ofSeconds(1));
            SimulatedClients load = SimulatedClients.atRate(sim, 2 * nodes, 100, Duration.ofSeconds(1),
                    random -> dev.glomers.workload.linkv.LinKvHistory.nextRequest(random, 3));
            Set<String> crashed = new HashSet<>();
            Set<String> paused = new HashSet<>();
            for (int phase = 0; phase < 8; phase++) {
                sim.after(Duration.ofMillis(sim.random().nextInt(300)), () -> LinKvCrashTest.fault(sim, crashed, paused));
                sim.runFor(Duration.ofMillis(300 + sim.random().nextInt(700)));
            }
            LinKvCrashTest.endFaults(sim, crashed, paused);
            sim.runFor(Duration.ofSeconds(3));
            load.stop();
            observer.checkSafely(sim);
            if (observer.violation != null) {
                throw observer.violation;
            }
            assertThat(observer.committed).as("seed %d: something was committed", seed).isNotEmpty();
            long compacted = observer.cores.values().stream().mapToLong(RaftCore::logBase).max().orElse(0);
            if (snapshotEvery > 0) {
                assertThat(compacted).as("seed %d: logs were compacted", seed).isPositive();
            }
            System.err.printf("invariants %s every %d seed %d: %d checks, %d committed, %d terms led, compacted to %d%n", profile,
                    snapshotEvery, seed, observer.checks, observer.committed.size(), observer.leaderOfTerm.size(), compacted);
            assertThat(observer.leaderOfTerm).as("seed %d: a leader was elected", seed).isNotEmpty();
        }
    }
}
