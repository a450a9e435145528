package dev.glomers.cluster.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.cluster.ClusterOptions;
import dev.glomers.cluster.load.ClientLoad.ClientProcess;
import dev.glomers.cluster.load.ClientLoad.Dispatch;
import dev.glomers.cluster.load.ClientLoad.Workers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The lin-kv generator laid out as the workbench's: groups of 2n workers, a key per group, reads only on
 * threads 0..n-1 (Jepsen's reserve counts threads from 0 in every group), the worker picked by the generator.
 */
class LinKvLoadTest {

    private final Random random = new Random(1);

    private static long key(Dispatch dispatch) {
        return dispatch.invocation().value().get("key").asLong();
    }

    private static List<ClientProcess> fresh(int concurrency) {
        return IntStream.range(0, concurrency).mapToObj(t -> new ClientProcess(t, t)).toList();
    }

    private static Workers allFree(int concurrency) {
        return new Workers(fresh(concurrency), fresh(concurrency));
    }

    @Test
    void eachGroupOfTwiceTheNodeCountTestsItsOwnKeyAndOnlyTheFirstNodeCountThreadsRead() {
        LinKvLoad load = new LinKvLoad();
        load.configure(3, 12); // --node-count 3 --concurrency 4n: two groups of six
        Set<Integer> readers = new HashSet<>();
        Set<Integer> writers = new HashSet<>();
        for (int i = 0; i < 600; i++) {
            Dispatch d = load.dispatch(random, allFree(12));
            int thread = d.worker().thread();
            assertThat(key(d)).isEqualTo(thread / 6);
            (d.invocation().f().equals("read") ? readers : writers).add(thread);
        }
        assertThat(readers).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(writers).containsExactlyInAnyOrder(3, 4, 5, 6, 7, 8, 9, 10, 11);
    }

    @Test
    void writersWriteOnceForEveryTwoCasWithValuesZeroToFour() {
        LinKvLoad load = new LinKvLoad();
        load.configure(1, 2);
        int writes = 0;
        int cas = 0;
        Set<Integer> values = new HashSet<>();
        // Only worker 1, a writer, is free.
        Workers onlyWriter = new Workers(List.of(new ClientProcess(1, 1)), fresh(2));
        for (int i = 0; i < 3000; i++) {
            Dispatch d = load.dispatch(random, onlyWriter);
            assertThat(d.worker().thread()).isEqualTo(1);
            if (d.invocation().f().equals("write")) {
                writes++;
                values.add(d.invocation().value().get("value").asInt());
            } else {
                cas++;
                values.add(d.invocation().value().get("from").asInt());
                values.add(d.invocation().value().get("to").asInt());
            }
        }
        assertThat(values).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
        assertThat((double) writes / (writes + cas)).isBetween(0.3, 0.37);
    }

    @Test
    void aKeyIsRetiredOnceMoreThanTwentyProcessesEmittedUnderIt() {
        LinKvLoad load = new LinKvLoad();
        int concurrency = 6;
        load.configure(3, concurrency); // one group of six: processes 0..5 to start with
        List<ClientProcess> all = new ArrayList<>(fresh(concurrency));
        assertThat(key(load.dispatch(random, new Workers(all, all)))).isZero();
        // Worker 3 has indeterminate op after indeterminate op: processes 9, 15, 21, ...; each time the group
        // is asked, its current processes join the key's set. Worker 3 is busy, the others are free.
        for (int crashes = 1; crashes <= 14; crashes++) {
            all.set(3, new ClientProcess(3, 3 + crashes * concurrency));
            Dispatch d = load.dispatch(random, new Workers(freeBut(all, 3), all));
            assertThat(key(d)).as("6 + %d processes", crashes).isZero();
        }
        // The 21st process exhausts key 0: the group moves to key 1, which starts with no process at all.
        all.set(3, new ClientProcess(3, 3 + 15 * concurrency));
        assertThat(key(load.dispatch(random, new Workers(freeBut(all, 3), all)))).isEqualTo(1);
        assertThat(key(load.dispatch(random, new Workers(all, all)))).isEqualTo(1);
    }

    private static List<ClientProcess> freeBut(List<ClientProcess> all, int busyThread) {
        return all.stream().filter(w -> w.thread() != busyThread).toList();
    }

    @Test
    void theOpGoesToTheFirstFreeThreadOfTheChosenRangeAtOrAfterACursorThatEveryOpMovesOn() {
        LinKvLoad load = new LinKvLoad();
        load.configure(3, 6); // one group: threads 0-2 read, 3-5 write; the nemesis is thread 6
        Workers writersFree = new Workers(fresh(6).subList(3, 6), fresh(6));
        List<Integer> threads = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            threads.add(load.dispatch(random, writersFree).worker().thread());
        }
        // cursor 0..3 -> 3, 4 -> 4, 5 -> 5, 6 (the nemesis) wraps -> 3, then 0, 1 -> 3
        assertThat(threads).containsExactly(3, 3, 3, 3, 4, 5, 3, 3, 3);
    }

    @Test
    void aConcurrencyBelowTwiceTheNodeCountMakesOneGroupHalfReaders() {
        LinKvLoad load = new LinKvLoad();
        load.configure(5, 5); // --concurrency 1n: the workbench would refuse it
        for (int i = 0; i < 200; i++) {
            Dispatch d = load.dispatch(random, allFree(5));
            assertThat(key(d)).isZero();
            assertThat(d.invocation().f().equals("read")).isEqualTo(d.worker().thread() < 2);
        }
    }

    @Test
    void requestsAndTheClientTimeoutAreTheWorkbenchs() {
        LinKvLoad load = new LinKvLoad();
        load.configure(1, 2);
        Workers onlyWriter = new Workers(List.of(new ClientProcess(1, 1)), fresh(2));
        Dispatch cas = load.dispatch(random, onlyWriter);
        while (!cas.invocation().f().equals("cas")) {
            cas = load.dispatch(random, onlyWriter);
        }
        assertThat(load.request(cas.invocation()).toString())
                .matches("\\{\"type\":\"cas\",\"key\":0,\"from\":[0-4],\"to\":[0-4]}");
        assertThat(load.clientTimeout(ClusterOptions.builder("lin-kv").build())).isEqualTo(Duration.ofSeconds(1));
        assertThat(load.clientTimeout(ClusterOptions.builder("lin-kv").latencyMillis(250).build()))
                .isEqualTo(Duration.ofMillis(2500));
        assertThat(load.definiteErrorCodes()).containsExactlyInAnyOrder(1, 10, 11, 20, 21, 22);
    }
}
