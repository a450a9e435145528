package dev.glomers.workload.txn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.check.TxnChecker;
import dev.glomers.cluster.check.TxnOp;
import dev.glomers.cluster.load.TxnGenerator;
import dev.glomers.node.Message;
import dev.glomers.node.Wire;
import dev.glomers.testing.InMemoryCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Whole txn-rw-register nodes, wired by Spring, on the in-memory network. */
class TxnNodeTest {

    private static Message txn(InMemoryCluster cluster, String node, String ops) throws Exception {
        return cluster.request(node, "{\"type\":\"txn\",\"txn\":" + ops + "}").get(5, TimeUnit.SECONDS);
    }

    @Test
    void aSingleNodeFillsInReadsWithNullInsideTheArrayAndNothingElse() throws Exception {
        try (InMemoryCluster cluster = InMemoryCluster.start("txn-rw-register", 1)) {
            Message first = txn(cluster, "n0", "[[\"r\",1,null],[\"w\",1,6],[\"w\",2,9],[\"r\",1,null]]");
            assertThat(first.body()).isEqualTo(Wire.JSON.readTree(
                    "{\"type\":\"txn_ok\",\"txn\":[[\"r\",1,null],[\"w\",1,6],[\"w\",2,9],[\"r\",1,6]],\"in_reply_to\":"
                            + first.inReplyTo() + "}"));

            Message second = txn(cluster, "n0", "[[\"r\",2,null],[\"r\",3,null]]");
            assertThat(second.body().get("txn").toString()).isEqualTo("[[\"r\",2,9],[\"r\",3,null]]");
        }
    }

    @Test
    void aMalformedTransactionIsErrorTwelveAndTheNodeGoesOn() throws Exception {
        try (InMemoryCluster cluster = InMemoryCluster.start("txn-rw-register", 1)) {
            Message bad = txn(cluster, "n0", "[[\"append\",1,2]]");
            assertThat(bad.type()).isEqualTo("error");
            assertThat(bad.body().get("code").asInt()).isEqualTo(12);
            Message notAnArray = cluster.request("n0", "{\"type\":\"txn\",\"txn\":5}").get(5, TimeUnit.SECONDS);
            assertThat(notAnArray.body().get("code").asInt()).isEqualTo(12);
            assertThat(txn(cluster, "n0", "[[\"r\",1,null]]").type()).isEqualTo("txn_ok");
        }
    }

    @Test
    void twoPartitionedNodesAnswerEverythingStayReadCommittedAndConvergeAfterHealing() throws Exception {
        ScheduledExecutorService clients = Executors.newSingleThreadScheduledExecutor();
        try (InMemoryCluster cluster = InMemoryCluster.start("txn-rw-register", 2)) {
            TxnGenerator generator = TxnGenerator.defaults(11);
            List<TxnOp> history = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger failures = new AtomicInteger();
            long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            // Four clients, two per node, each about 250 transactions a second: the official rate of 1000/s.
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int process = 0; process < 4; process++) {
                CompletableFuture<Void> finished = new CompletableFuture<>();
                done.add(finished);
                runClient(cluster, clients, generator, process, "n" + (process % 2), end, history, failures, finished);
            }
            clients.schedule(() -> cluster.partition(InMemoryCluster.side("n0"), InMemoryCluster.side("n1")), 1, TimeUnit.SECONDS);
            clients.schedule(cluster::heal, 2, TimeUnit.SECONDS);
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

            assertThat(failures.get()).as("total availability: every request answered txn_ok").isZero();
            assertThat(history.size()).isGreaterThan(1500);
            TxnChecker.Result result = TxnChecker.check(history,
                    List.of("read-committed", "read-atomic", "strong-session-read-committed"));
            assertThat(result.anomalies()).isEmpty();
            assertThat(result.valid()).isTrue();
            double msgsPerOp = (double) cluster.serverMessages() / history.size();
            System.err.printf("txn 2 nodes, partitioned 1 s of 3: %d ops, %d server messages, %.3f per op%n",
                    history.size(), cluster.serverMessages(), msgsPerOp);
            assertThat(msgsPerOp).as("server messages per op").isLessThanOrEqualTo(0.1);

            // After healing, both nodes hold the same value for every key ever written.
            TreeSet<Long> keys = new TreeSet<>();
            history.forEach(op -> op.txn().forEach(micro -> keys.add(micro.key().asLong())));
            StringBuilder reads = new StringBuilder("[");
            keys.forEach(key -> reads.append(reads.length() > 1 ? "," : "").append("[\"r\",").append(key).append(",null]"));
            reads.append(']');
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            JsonNode onN0;
            JsonNode onN1;
            do {
                Thread.sleep(50);
                onN0 = txn(cluster, "n0", reads.toString()).body().get("txn");
                onN1 = txn(cluster, "n1", reads.toString()).body().get("txn");
            } while (!onN0.equals(onN1) && System.nanoTime() < deadline);
            assertThat(onN1).as("converged after healing").isEqualTo(onN0);
        } finally {
            clients.shutdownNow();
        }
    }

    private static void runClient(InMemoryCluster cluster, ScheduledExecutorService clients, TxnGenerator generator,
                                  int process, String node, long end, List<TxnOp> history, AtomicInteger failures,
                                  CompletableFuture<Void> finished) {
        if (System.nanoTime() > end) {
            finished.complete(null);
            return;
        }
        List<MicroOp> ops = generator.next();
        ObjectNode request = Wire.JSON.createObjectNode();
        request.put("type", "txn");
        request.set("txn", MicroOp.toJson(ops));
        cluster.request(node, request).orTimeout(5, TimeUnit.SECONDS).whenComplete((reply, failure) -> {
            if (failure == null && "txn_ok".equals(reply.type())) {
                history.add(new TxnOp(process, TxnOp.Status.OK, MicroOp.parseAll(reply.body().get("txn"))));
            } else {
                failures.incrementAndGet();
                history.add(new TxnOp(process, TxnOp.Status.INFO, ops));
            }
            clients.schedule(() -> runClient(cluster, clients, generator, process, node, end, history, failures, finished),
                    4, TimeUnit.MILLISECONDS);
        });
    }
}
