package dev.glomers.cluster.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.cluster.load.ClientLoad.ClientProcess;
import dev.glomers.cluster.load.ClientLoad.Dispatch;
import dev.glomers.cluster.load.ClientLoad.Workers;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The lin-kv mix on the two command lines we hold ourselves to, driven in virtual time as the runner drives
 * it: an operation due every U[0, 2/rate] s (stagger) goes to the worker {@link LinKvLoad#dispatch} picks
 * among the free ones, or, when all are busy, as soon as one is free. Operations take 5 ms, except that
 * under a partition those sent to a cut-off node time out after the client's 1 s, indeterminate, and give
 * their worker a new process. The workbench measured reads at 25 % on the 3-node line and 9-25 % on the
 * 5-node line, writes to cas 1 to 2: the shares here come out of the generator, not from a ratio.
 */
class LinKvMixTest {

    private static final double OP_SECONDS = 0.005;
    private static final double TIMEOUT_SECONDS = 1.0;

    record Line(int nodes, int concurrency, double rate, double seconds, double nemesisInterval) {
    }

    record Mix(int reads, int writes, int cas, int keys) {
        int total() {
            return reads + writes + cas;
        }

        double readShare() {
            return (double) reads / total();
        }

        double writeShareOfWriters() {
            return (double) writes / (writes + cas);
        }
    }

    private record Completion(double time, int thread, boolean indeterminate) {
    }

    /** One run of a line in virtual time; partitions cut a random minority off for half the time. */
    static Mix run(Line line, long seed) {
        Random random = new Random(seed);
        LinKvLoad load = new LinKvLoad();
        load.configure(line.nodes(), line.concurrency());
        int[] crashes = new int[line.concurrency()];
        LinkedHashSet<Integer> free = new LinkedHashSet<>(); // the longest free first
        for (int t = 0; t < line.concurrency(); t++) {
            free.add(t);
        }
        PriorityQueue<Completion> pending = new PriorityQueue<>((a, b) -> Double.compare(a.time(), b.time()));
        Set<Integer> cutOff = new HashSet<>();
        Set<Long> keys = new HashSet<>();
        double nextNemesis = random.nextDouble() * 2 * line.nemesisInterval();
        int reads = 0;
        int writes = 0;
        int cas = 0;
        double now = 0;
        while (true) {
            now += random.nextDouble() * 2 / line.rate();
            if (now >= line.seconds()) {
                return new Mix(reads, writes, cas, keys.size());
            }
            while (nextNemesis <= now) {
                cutOff.clear();
                if (random.nextBoolean()) {
                    int minority = 1 + random.nextInt((line.nodes() - 1) / 2);
                    while (cutOff.size() < minority) {
                        cutOff.add(random.nextInt(line.nodes()));
                    }
                }
                nextNemesis += random.nextDouble() * 2 * line.nemesisInterval();
            }
            completeUntil(now, pending, free, crashes);
            if (free.isEmpty()) {
                now = pending.peek().time();
                completeUntil(now, pending, free, crashes);
            }
            Dispatch d = load.dispatch(random, workers(free, crashes));
            int thread = d.worker().thread();
            assertThat(free.remove(thread)).as("the generator picked a free worker").isTrue();
            boolean lost = cutOff.contains(thread % line.nodes());
            pending.add(new Completion(now + (lost ? TIMEOUT_SECONDS : OP_SECONDS), thread, lost));
            keys.add(d.invocation().value().get("key").asLong());
            switch (d.invocation().f()) {
                case "read" -> reads++;
                case "write" -> writes++;
                default -> cas++;
            }
        }
    }

    private static void completeUntil(double now, PriorityQueue<Completion> pending, Set<Integer> free,
            int[] crashes) {
        while (!pending.isEmpty() && pending.peek().time() <= now) {
            Completion c = pending.poll();
            if (c.indeterminate()) {
                crashes[c.thread()]++;
            }
            free.add(c.thread());
        }
    }

    private static Workers workers(Set<Integer> free, int[] crashes) {
        List<ClientProcess> all = new ArrayList<>();
        for (int t = 0; t < crashes.length; t++) {
            all.add(new ClientProcess(t, t + crashes[t] * crashes.length));
        }
        return new Workers(free.stream().map(all::get).toList(), all);
    }

    @Test
    void onTheThreeNodeTutorialLineAQuarterOfTheOpsAreReads() {
        // --node-count 3 --concurrency 4n --rate 30 --time-limit 60 --nemesis partition --nemesis-interval 10
        for (long seed = 1; seed <= 3; seed++) {
            Mix mix = run(new Line(3, 12, 30, 60, 10), seed);
            System.out.printf("3 nodes, seed %d: %s, reads %.3f%n", seed, mix, mix.readShare());
            assertThat(mix.total()).isBetween(1600, 2000);
            assertThat(mix.readShare()).as("seed %d: %s", seed, mix).isBetween(0.22, 0.28);
            assertThat(mix.writeShareOfWriters()).as("seed %d: %s", seed, mix).isBetween(0.29, 0.38);
            assertThat(mix.keys()).as("partitions retire keys").isGreaterThan(2);
        }
    }

    @Test
    void onTheFiveNodeLineReadsStayInTheWorkbenchsNineToTwentyFivePercent() {
        // --node-count 5 --concurrency 10n --rate 100 --time-limit 30 --nemesis partition --nemesis-interval 3
        for (long seed = 1; seed <= 3; seed++) {
            Mix mix = run(new Line(5, 50, 100, 30, 3), seed);
            System.out.printf("5 nodes, seed %d: %s, reads %.3f%n", seed, mix, mix.readShare());
            assertThat(mix.readShare()).as("seed %d: %s", seed, mix).isBetween(0.09, 0.25);
            assertThat(mix.writeShareOfWriters()).as("seed %d: %s", seed, mix).isBetween(0.29, 0.38);
        }
    }

    @Test
    void withEveryWorkerFreeTheShareIsTheFirstGroupsReadersOverAllGroups() {
        // No partitions: one group in two (3 nodes) or five (5 nodes), and half of the first group's ops.
        Mix three = run(new Line(3, 12, 30, 300, Double.POSITIVE_INFINITY), 7);
        Mix five = run(new Line(5, 50, 100, 120, Double.POSITIVE_INFINITY), 7);
        assertThat(three.readShare()).isBetween(0.23, 0.27);
        assertThat(five.readShare()).isBetween(0.085, 0.115);
        assertThat(three.keys()).isEqualTo(2);
        assertThat(five.keys()).isEqualTo(5);
    }
}
