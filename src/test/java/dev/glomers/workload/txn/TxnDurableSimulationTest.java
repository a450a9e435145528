package dev.glomers.workload.txn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.check.TxnChecker;
import dev.glomers.cluster.check.TxnOp;
import dev.glomers.cluster.load.TxnGenerator;
import dev.glomers.node.Message;
import dev.glomers.node.Wire;
import dev.glomers.sim.Simulation;
import dev.glomers.sim.Simulation.Latency;
import dev.glomers.sim.SimulatedClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole durable txn-rw-register nodes, wired by Spring as shipped, on the simulation's disks: crashed at
 * random moments (the disk keeping only what was synced, maybe a torn tail), restarted, under the
 * workbench's load with drops. Every history is valid for read committed and read atomic by the runner's
 * checker, the nodes that are up answer every request, and after the last restart the replicas converge.
 */
class TxnDurableSimulationTest {

    private static final List<String> NODES = List.of("n0", "n1", "n2");

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void crashesAtRandomLoseNothingAndTheReplicasConverge(long seed) {
        try (Simulation sim = Simulation.startDurable("txn-rw-register", NODES.size(), seed)) {
            sim.latency(Duration.ofMillis(5), Latency.EXPONENTIAL).dropRate(0.02);
            TxnGenerator generator = TxnGenerator.defaults(seed);
            SimulatedClients clients = SimulatedClients.atRate(sim, 6, 150, Duration.ofSeconds(1), random -> {
                ObjectNode body = Wire.JSON.createObjectNode();
                body.put("type", "txn");
                body.set("txn", MicroOp.toJson(generator.next(random)));
                return body;
            });
            int crashes = 0;
            for (int step = 0; step < 32; step++) {
                sim.runFor(Duration.ofMillis(250));
                String node = NODES.get(sim.random().nextInt(NODES.size()));
                if (sim.isUp(node) && sim.random().nextInt(4) == 0) {
                    sim.crash(node);
                    crashes++;
                } else if (!sim.isUp(node)) {
                    sim.restart(node);
                }
            }
            NODES.stream().filter(node -> !sim.isUp(node)).forEach(sim::restart);
            sim.runFor(Duration.ofSeconds(3));
            clients.stop();
            sim.runFor(Duration.ofSeconds(5));

            assertThat(crashes).isGreaterThan(2);
            List<TxnOp> history = clients.calls().stream()
                    .sorted(Comparator.comparingLong(SimulatedClients.Call::invokeSeq))
                    .map(call -> call.reply() != null && "txn_ok".equals(call.reply().type())
                            ? new TxnOp(call.process(), TxnOp.Status.OK, MicroOp.parseAll(call.reply().body().get("txn")))
                            : new TxnOp(call.process(), TxnOp.Status.INFO, MicroOp.parseAll(call.request().get("txn"))))
                    .toList();
            long ok = history.stream().filter(op -> op.status() == TxnOp.Status.OK).count();
            assertThat(ok).isGreaterThan(800);
            assertThat(clients.calls().stream().filter(call -> call.reply() != null && !"txn_ok".equals(call.reply().type())))
                    .as("a node that is up answers every transaction").isEmpty();
            TxnChecker.Result result = TxnChecker.check(history, List.of("read-committed", "read-atomic"));
            assertThat(result.anomalies()).isEmpty();
            assertThat(result.valid()).isTrue();

            TreeSet<Long> keys = history.stream().flatMap(op -> op.txn().stream()).map(op -> op.key().asLong())
                    .collect(Collectors.toCollection(TreeSet::new));
            List<String> finalReads = new ArrayList<>();
            for (String node : NODES) {
                ArrayNode txn = Wire.JSON.createArrayNode();
                keys.forEach(key -> txn.addArray().add("r").add(key).addNull());
                ObjectNode body = Wire.JSON.createObjectNode().put("type", "txn");
                body.set("txn", txn);
                CompletableFuture<Message> reply = sim.request(node, body);
                assertThat(sim.runUntil(reply::isDone, Duration.ofSeconds(1))).isTrue();
                finalReads.add(reply.join().body().get("txn").toString());
            }
            assertThat(finalReads).as("every node holds the same state after the last restart").containsOnly(finalReads.get(0));
        }
    }
}
