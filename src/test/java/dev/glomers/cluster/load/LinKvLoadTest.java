package dev.glomers.cluster.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.cluster.ClusterOptions;
import dev.glomers.cluster.load.ClientLoad.ClientProcess;
import dev.glomers.cluster.load.ClientLoad.Invocation;
import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The lin-kv generator laid out as the workbench's: groups of 2n workers, half readers, a key per group. */
class LinKvLoadTest {

    private final Random random = new Random(1);

    private static long key(Invocation invocation) {
        return invocation.value().get("key").asLong();
    }

    @Test
    void eachGroupOfTwiceTheNodeCountWorkersTestsItsOwnKeyAndItsFirstHalfOnlyReads() {
        LinKvLoad load = new LinKvLoad();
        load.configure(3, 12); // --node-count 3 --concurrency 4n: two groups of six
        for (int round = 0; round < 50; round++) {
            for (int thread = 0; thread < 12; thread++) {
                Invocation op = load.nextInvocation(random, new ClientProcess(thread, thread));
                assertThat(key(op)).isEqualTo(thread / 6);
                if (thread % 6 < 3) {
                    assertThat(op.f()).isEqualTo("read");
                } else {
                    assertThat(op.f()).isIn("write", "cas");
                }
            }
        }
    }

    @Test
    void writersWriteOnceForEveryTwoCasWithValuesZeroToFour() {
        LinKvLoad load = new LinKvLoad();
        load.configure(1, 2);
        int writes = 0;
        int cas = 0;
        Set<Integer> values = new HashSet<>();
        for (int i = 0; i < 3000; i++) {
            Invocation op = load.nextInvocation(random, new ClientProcess(1, 1));
            if (op.f().equals("write")) {
                writes++;
                values.add(op.value().get("value").asInt());
            } else {
                cas++;
                values.add(op.value().get("from").asInt());
                values.add(op.value().get("to").asInt());
            }
        }
        assertThat(values).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
        assertThat((double) writes / (writes + cas)).isBetween(0.3, 0.37);
    }

    @Test
    void aKeyIsRetiredOnceMoreThanTwentyProcessesTouchedIt() {
        LinKvLoad load = new LinKvLoad();
        load.configure(3, 6); // one group of six: processes 0..5 to start with
        int concurrency = 6;
        // Worker 3 has indeterminate op after indeterminate op: processes 9, 15, 21, ...
        for (int crashes = 1; crashes <= 14; crashes++) {
            Invocation op = load.nextInvocation(random, new ClientProcess(3, 3 + crashes * concurrency));
            assertThat(key(op)).as("6 + %d processes", crashes).isEqualTo(0);
        }
        // The 21st process moves the group to key 1, which starts out with the six current processes.
        assertThat(key(load.nextInvocation(random, new ClientProcess(3, 3 + 15 * concurrency)))).isEqualTo(1);
        assertThat(key(load.nextInvocation(random, new ClientProcess(0, 0)))).isEqualTo(1);
    }

    @Test
    void aConcurrencyBelowTwiceTheNodeCountMakesOneGroupHalfReaders() {
        LinKvLoad load = new LinKvLoad();
        load.configure(5, 5); // --concurrency 1n: the workbench would refuse it
        for (int thread = 0; thread < 5; thread++) {
            Invocation op = load.nextInvocation(random, new ClientProcess(thread, thread));
            assertThat(key(op)).isZero();
            assertThat(op.f().equals("read")).isEqualTo(thread < 2);
        }
    }

    @Test
    void requestsAndTheClientTimeoutAreTheWorkbenchs() {
        LinKvLoad load = new LinKvLoad();
        load.configure(1, 2);
        Invocation cas = load.nextInvocation(random, new ClientProcess(1, 1));
        while (!cas.f().equals("cas")) {
            cas = load.nextInvocation(random, new ClientProcess(1, 1));
        }
        assertThat(load.request(cas).toString()).matches("\\{\"type\":\"cas\",\"key\":0,\"from\":[0-4],\"to\":[0-4]}");
        assertThat(load.clientTimeout(ClusterOptions.builder("lin-kv").build())).isEqualTo(Duration.ofSeconds(1));
        assertThat(load.clientTimeout(ClusterOptions.builder("lin-kv").latencyMillis(250).build()))
                .isEqualTo(Duration.ofMillis(2500));
        assertThat(load.definiteErrorCodes()).containsExactlyInAnyOrder(1, 10, 11, 20, 21, 22);
    }
}
