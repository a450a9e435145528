package dev.glomers.workload.counter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.node.Message;
import dev.glomers.testing.InMemoryCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GCounterNodeTest {

    private static Message await(CompletableFuture<Message> reply) throws Exception {
        return reply.get(6, TimeUnit.SECONDS);
    }

    private static long read(InMemoryCluster cluster, String node) throws Exception {
        Message reply = await(cluster.request(node, "{\"type\":\"read\"}"));
        assertThat(reply.type()).as("read on %s: %s", node, reply.body()).isEqualTo("read_ok");
        assertThat(reply.body().size()).as("read_ok carries type, value, in_reply_to only").isEqualTo(3);
        return reply.body().get("value").asLong();
    }

    @Test
    void aReadElsewhereRightAfterAnAcknowledgedAddSeesItThoughSeqKvServesStaleStates() throws Exception {
        StaleSeqKv seqKv = new StaleSeqKv(7, 64);
        try (InMemoryCluster cluster = InMemoryCluster.start("g-counter", 3)) {
            cluster.service("seq-kv", seqKv);
            long sum = 0;
            for (int i = 1; i <= 30; i++) {
                String writer = "n" + (i % 3);
                String reader = "n" + ((i + 1) % 3);
                assertThat(await(cluster.request(writer, "{\"type\":\"add\",\"delta\":" + i + "}")).type()).isEqualTo("add_ok");
                sum += i;
                // Without a write before reading, the reader's seq-kv view could be many states old.
                assertThat(read(cluster, reader)).as("read %d on %s", i, reader).isEqualTo(sum);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"11, 0.25, 0", "12, 0.25, 0", "13, 0, 0.2", "14, 0.2, 0.2"})
    void lostRepliesAndLateWritesNeverLoseAnAcknowledgedAddNorApplyOneTwiceAndEveryNodeReadsTheSameFinalValue(
            long seed, double replyLoss, double delay) throws Exception {
        StaleSeqKv seqKv = new StaleSeqKv(seed, 32).replyLoss(replyLoss).delay(delay);
        try (InMemoryCluster cluster = InMemoryCluster.start("g-counter", 3,
                "--glomers.kv.timeout=100ms", "--glomers.counter.read-deadline=4s")) {
            cluster.service("seq-kv", seqKv).latency(Duration.ofMillis(2));
            Random random = new Random(seed);
            List<CompletableFuture<Message>> adds = new ArrayList<>();
            List<Long> deltas = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                long delta = random.nextInt(10);
                deltas.add(delta);
                adds.add(cluster.request("n" + random.nextInt(3), "{\"type\":\"add\",\"delta\":" + delta + "}"));
                if (i % 10 == 0) {
                    cluster.request("n" + random.nextInt(3), "{\"type\":\"read\"}");
                }
                Thread.sleep(2);
            }
            long acknowledged = 0;
            long inDoubt = 0;
            for (int i = 0; i < adds.size(); i++) {
                Message reply = await(adds.get(i));
                if (reply.type().equals("add_ok")) {
                    acknowledged += deltas.get(i);
                } else {
                    assertThat(reply.body().get("code").asInt()).as("an add in doubt is never definite").isIn(0, 13);
                    inDoubt += deltas.get(i);
                }
            }
            seqKv.replyLoss(0);
            seqKv.delay(0);
            for (int i = 0; i < 50; i++) {
                read(cluster, "n" + (i % 3)); // lets the held-back writes land (or not) before the final reads
            }
            long n0 = read(cluster, "n0");
            assertThat(n0).isBetween(acknowledged, acknowledged + inDoubt);
            assertThat(read(cluster, "n1")).isEqualTo(n0);
            assertThat(read(cluster, "n2")).isEqualTo(n0);
            long inStore = 0;
            for (String node : cluster.nodeIds()) {
                var slot = seqKv.latest(GCounterWorkload.key(node));
                inStore += slot == null ? 0 : slot.get("count").asLong();
            }
            assertThat(n0).as("reads are the sum of the nodes' keys").isEqualTo(inStore);
            if (delay > 0) {
                assertThat(seqKv.lateChanges()).as("writes that landed after their sender gave up on them").isPositive();
            }
            System.out.printf("seed %d: %d acknowledged, %d in doubt, final %d, %d late writes landed%n",
                    seed, acknowledged, inDoubt, n0, seqKv.lateChanges());
        }
    }

    @Test
    void aReadAnswersAnIndefiniteErrorWhenSeqKvIsUnreachableAndTheCounterResumesAfterwards() throws Exception {
        StaleSeqKv seqKv = new StaleSeqKv(5, 16);
        try (InMemoryCluster cluster = InMemoryCluster.start("g-counter", 2,
                "--glomers.kv.timeout=100ms", "--glomers.counter.read-deadline=500ms")) {
            cluster.service("seq-kv", seqKv);
            assertThat(await(cluster.request("n0", "{\"type\":\"add\",\"delta\":5}")).type()).isEqualTo("add_ok");
            seqKv.down(true);
            Message reply = await(cluster.request("n1", "{\"type\":\"read\"}"));
            assertThat(reply.type()).isEqualTo("error");
            assertThat(reply.body().get("code").asInt()).isZero();
            CompletableFuture<Message> addWhileDown = cluster.request("n1", "{\"type\":\"add\",\"delta\":3}");
            Thread.sleep(200);
            seqKv.down(false);
            Message add = await(addWhileDown);
            long expected = add.type().equals("add_ok") ? 8 : -1;
            long value = read(cluster, "n0");
            if (expected < 0) {
                assertThat(value).isIn(5L, 8L);
            } else {
                assertThat(value).isEqualTo(expected);
            }
            assertThat(read(cluster, "n1")).isEqualTo(value);
        }
    }

    @Test
    void withAStalenessBoundReadsInsideItAreLocalAndAReadAfterItSeesEveryEarlierAdd() throws Exception {
        StaleSeqKv seqKv = new StaleSeqKv(9, 64);
        try (InMemoryCluster cluster = InMemoryCluster.start("g-counter", 3, "--glomers.counter.read-staleness=400ms")) {
            cluster.service("seq-kv", seqKv);
            long sum = 0;
            for (int round = 1; round <= 3; round++) {
                for (int i = 0; i < 5; i++) {
                    assertThat(await(cluster.request("n" + (i % 3), "{\"type\":\"add\",\"delta\":" + round + "}")).type()).isEqualTo("add_ok");
                    sum += round;
                }
                Thread.sleep(450);
                assertThat(read(cluster, "n0")).as("a read more than the bound after the adds").isEqualTo(sum);
                long before = cluster.serverMessages();
                read(cluster, "n0");
                read(cluster, "n0");
                assertThat(cluster.serverMessages()).as("reads inside the bound stay local").isEqualTo(before);
            }
        }
    }

    @Test
    void negativeOverflowingAndMistypedDeltasAreRejectedAsMalformedAndTheNodeGoesOn() throws Exception {
        try (InMemoryCluster cluster = InMemoryCluster.start("g-counter", 1)) {
            cluster.service("seq-kv", new StaleSeqKv(1, 4));
            Message reply = await(cluster.request("n0", "{\"type\":\"add\",\"delta\":-1}"));
            assertThat(reply.body().get("code").asInt()).isEqualTo(12);
            assertThat(await(cluster.request("n0", "{\"type\":\"add\",\"delta\":" + Long.MAX_VALUE + "}")).type()).isEqualTo("add_ok");
            reply = await(cluster.request("n0", "{\"type\":\"add\",\"delta\":1}"));
            assertThat(reply.body().get("code").asInt()).as("overflow").isEqualTo(12);
            assertThat(await(cluster.request("n0", "{\"type\":\"add\",\"delta\":\"x\"}")).body().get("code").asInt()).isEqualTo(12);
            assertThat(read(cluster, "n0")).as("the node still serves").isEqualTo(Long.MAX_VALUE);
        }
    }
}
