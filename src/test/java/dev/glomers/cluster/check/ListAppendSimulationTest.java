package dev.glomers.cluster.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.check.ListAppendChecker.Result;
import dev.glomers.cluster.check.ListAppendChecker.Status;
import dev.glomers.cluster.check.ListAppendChecker.Txn;
import dev.glomers.cluster.load.ListAppendGenerator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Large histories from a simulated strict-serializable store: the workbench's transactions from 10
 * concurrent clients, each taking effect atomically at one moment between its invocation and its
 * completion, some failing (no effect) and some indeterminate (effect or not, never completing). The
 * checker must accept them, and must catch one read-only transaction served from an older snapshot.
 */
class ListAppendSimulationTest {

    private static final int TRANSACTIONS = 10_000;

    /** One client transaction in flight. */
    private static final class Flight {
        final int id;
        final int process;
        final ArrayNode invoked;
        final long invokedAt;
        final Status outcome;
        ArrayNode completed;
        boolean applied;

        Flight(int id, int process, ArrayNode invoked, long invokedAt, Status outcome) {
            this.id = id;
            this.process = process;
            this.invoked = invoked;
            this.invokedAt = invokedAt;
            this.outcome = outcome;
        }
    }

    /**
     * Runs the simulation. With {@code staleAfter} >= 0, the first read-only transaction applied after
     * that many others, that would see a change since the snapshot taken {@code 200} applications
     * earlier, is served from that snapshot instead.
     */
    private static List<Txn> simulate(long seed, int staleAfter) {
        return simulate(seed, staleAfter, 0);
    }

    /** As above; with {@code truncating} > 0, that fraction of all reads also drop up to 3 of the newest elements. */
    private static List<Txn> simulate(long seed, int staleAfter, double truncating) {
        Random random = new Random(seed);
        ListAppendGenerator generator = new ListAppendGenerator(10, 4, 16);
        Map<Long, List<Long>> state = new HashMap<>();
        Map<Long, List<Long>> snapshot = null;
        boolean staleServed = false;
        Deque<Integer> idle = new ArrayDeque<>();
        int nextProcess = 10;
        for (int p = 0; p < 10; p++) {
            idle.add(p);
        }
        List<Flight> inFlight = new ArrayList<>();
        List<Txn> txns = new ArrayList<>();
        long position = 0;
        int started = 0;
        int applied = 0;
        while (started < TRANSACTIONS || !inFlight.isEmpty()) {
            if (started < TRANSACTIONS && !idle.isEmpty() && (inFlight.isEmpty() || random.nextInt(3) == 0)) {
                double roll = random.nextDouble();
                Status outcome = roll < 0.02 ? Status.FAIL : roll < 0.04 ? Status.INFO : Status.OK;
                inFlight.add(new Flight(started++, idle.poll(), generator.next(random), position++, outcome));
                continue;
            }
            Flight f = inFlight.get(random.nextInt(inFlight.size()));
            if (!f.applied) {
                f.applied = true;
                boolean takesEffect = f.outcome == Status.OK || (f.outcome == Status.INFO && random.nextBoolean());
                if (takesEffect) {
                    applied++;
                    if (applied == staleAfter - 200) {
                        snapshot = copy(state);
                    }
                    boolean stale = staleAfter >= 0 && !staleServed && applied > staleAfter && f.outcome == Status.OK
                            && readOnly(f.invoked) && differs(f.invoked, snapshot, state);
                    staleServed |= stale;
                    f.completed = execute(f.invoked, stale ? copy(snapshot) : state);
                    if (truncating > 0) {
                        truncateSomeReads(f.completed, random, truncating);
                    }
                }
                continue;
            }
            inFlight.remove(f);
            switch (f.outcome) {
                case OK -> {
                    txns.add(new Txn(f.id, f.process, Status.OK, f.completed, f.invokedAt, position++));
                    idle.add(f.process);
                }
                case FAIL -> {
                    txns.add(new Txn(f.id, f.process, Status.FAIL, f.invoked, f.invokedAt, position++));
                    idle.add(f.process);
                }
                default -> {
                    // As in Jepsen, a client whose operation is indeterminate is replaced by a new process.
                    txns.add(new Txn(f.id, f.process, Status.INFO, f.invoked, f.invokedAt, Long.MAX_VALUE));
                    idle.add(nextProcess++);
                }
            }
        }
        assertThat(staleServed).isEqualTo(staleAfter >= 0);
        return txns;
    }

    private static ArrayNode execute(ArrayNode txn, Map<Long, List<Long>> state) {
        ArrayNode completed = txn.deepCopy();
        for (JsonNode mop : completed) {
            long key = mop.get(1).asLong();
            List<Long> list = state.computeIfAbsent(key, k -> new ArrayList<>());
            if (mop.get(0).asText().equals("append")) {
                list.add(mop.get(2).asLong());
            } else {
                ArrayNode read = ((ArrayNode) mop).arrayNode();
                list.forEach(read::add);
                ((ArrayNode) mop).set(2, read);
            }
        }
        return completed;
    }

    private static void truncateSomeReads(ArrayNode txn, Random random, double fraction) {
        for (JsonNode mop : txn) {
            if (mop.get(0).asText().equals("r") && random.nextDouble() < fraction) {
                ArrayNode read = (ArrayNode) mop.get(2);
                for (int drop = random.nextInt(4); drop > 0 && !read.isEmpty(); drop--) {
                    read.remove(read.size() - 1);
                }
            }
        }
    }

    private static boolean readOnly(ArrayNode txn) {
        for (JsonNode mop : txn) {
            if (!mop.get(0).asText().equals("r")) {
                return false;
            }
        }
        return true;
    }

    private static boolean differs(ArrayNode txn, Map<Long, List<Long>> snapshot, Map<Long, List<Long>> state) {
        for (JsonNode mop : txn) {
            long key = mop.get(1).asLong();
            if (!snapshot.getOrDefault(key, List.of()).equals(state.getOrDefault(key, List.of()))) {
                return true;
            }
        }
        return false;
    }

    private static Map<Long, List<Long>> copy(Map<Long, List<Long>> state) {
        Map<Long, List<Long>> copy = new HashMap<>();
        state.forEach((k, v) -> copy.put(k, new ArrayList<>(v)));
        return copy;
    }

    @Test
    void tenThousandTransactionsOfAStrictSerializableStoreAreValid() {
        List<Txn> txns = simulate(7, -1);
        long started = System.nanoTime();
        Result result = ListAppendChecker.check(txns, List.of("strict-serializable"));
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("list-append check of %d transactions: %d ms%n", txns.size(), millis);
        assertThat(result.anomalies()).isEmpty();
        assertThat(result.verdict()).isEqualTo(Verdict.VALID);
        assertThat(result.ok()).isGreaterThan(TRANSACTIONS * 9 / 10);
        assertThat(result.failed()).isPositive();
        assertThat(result.indeterminate()).isPositive();
    }

    @Test
    void oneStaleReadAmongTenThousandIsCaught() {
        Result result = ListAppendChecker.check(simulate(7, 5_000), List.of("strict-serializable"));
        assertThat(result.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(result.prohibitedAnomalies()).isNotEmpty();
        // Without real time, a read of an older state is just an earlier place in the serial order.
        Result serializable = ListAppendChecker.check(simulate(7, 5_000), List.of("serializable"));
        System.out.println("stale read: strict " + result.counts() + ", serializable " + serializable.counts());
        assertThat(serializable.verdict()).isEqualTo(Verdict.VALID);
    }

    @Test
    void aStoreServingStaleListsEverywhereIsCaughtWithoutTheSearchBlowingUp() {
        List<Txn> txns = simulate(11, -1, 0.3);
        long started = System.nanoTime();
        Result result = ListAppendChecker.check(txns, List.of("strict-serializable"));
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("list-append check of %d transactions with stale reads everywhere: %d ms, %s%n",
                txns.size(), millis, result.counts());
        assertThat(result.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(result.prohibitedAnomalies()).containsKey("G-single");
    }
}
