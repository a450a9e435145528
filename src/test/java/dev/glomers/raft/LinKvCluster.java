package dev.glomers.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.node.CoreDriver;
import dev.glomers.node.Message;
import dev.glomers.node.Node;
import dev.glomers.retry.Backoff;
import dev.glomers.retry.Retries;
import dev.glomers.sim.Simulation;
import dev.glomers.workload.linkv.LinKvWorkload;
import io.github.resilience4j.retry.Retry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A simulated cluster of whole lin-kv cores with the product's settings (the lin-kv profile's), in virtual time;
 * {@link #cores} holds each node's current core (a restart replaces it), {@link #rejoins} every rejoin sent.
 */
final class LinKvCluster implements AutoCloseable {

    /** The lin-kv profile's settings, read once from a one-node simulation. */
    private static final class Product {
        static final RaftProperties SETTINGS;
        static final Retry REFORWARD;

        static {
            try (Simulation sim = Simulation.start("lin-kv", 1, 0)) {
                SETTINGS = sim.bean("n0", RaftProperties.class);
                REFORWARD = sim.bean("n0", Retries.class).policy(LinKvWorkload.REFORWARD);
            }
        }
    }

    final Map<String, RaftCore<?, ?>> cores = new HashMap<>();
    final Simulation sim;
    final List<Message> rejoins = new ArrayList<>();

    LinKvCluster(int nodes, boolean durable, long seed) {
        Consumer<Node> wiring = node -> CoreDriver.drive(node, () -> {
            RaftCore<?, ?> core = LinKvWorkload.core(node, Product.SETTINGS, new Backoff(Product.REFORWARD));
            cores.put(node.id(), core);
            return core;
        });
        sim = durable ? Simulation.startWiredDurable(nodes, seed, wiring) : Simulation.startWired(nodes, seed, wiring);
        sim.latency(Duration.ofMillis(2), Simulation.Latency.EXPONENTIAL).syncLatency(Duration.ofMillis(2));
        sim.observe(m -> {
            if (m.type().equals(RaftMessages.Rejoin.TYPE)) {
                rejoins.add(m);
            }
        });
    }

    static RaftProperties settings() {
        return Product.SETTINGS;
    }

    String leader() {
        List<String> leaders = cores.entrySet().stream().filter(e -> sim.isUp(e.getKey()))
                .filter(e -> e.getValue().role() == RaftCore.Role.LEADER).map(Map.Entry::getKey).sorted().toList();
        assertThat(leaders).as("leaders").hasSize(1);
        return leaders.get(0);
    }

    /** A write at {@code node}, answered ok within the limit; {@code report}: its delay goes to stderr. */
    void writeOk(String node, int key, int value, Duration within, boolean report) {
        long from = sim.time().millis();
        CompletableFuture<Message> write = sim.request(node, "{\"type\":\"write\",\"key\":" + key + ",\"value\":" + value + "}");
        sim.runUntil(write::isDone, Duration.ofSeconds(3));
        if (report) {
            System.err.printf("%s: write answered %s after %d ms%n", node,
                    write.isDone() ? write.join().body() : "nothing", sim.time().millis() - from);
        }
        assertThat(sim.time().millis() - from).as("ms until a write at %s was answered", node).isLessThanOrEqualTo(within.toMillis());
        assertThat(write.getNow(null)).as("a write at %s answered within %s", node, within).isNotNull()
                .satisfies(m -> assertThat(m.type()).as(m.body().toString()).isEqualTo("write_ok"));
    }

    /** A read at {@code node}: the write answered ok took effect (an ok for another write would not do). */
    void reads(String node, int key, int value) {
        CompletableFuture<Message> read = sim.request(node, "{\"type\":\"read\",\"key\":" + key + "}");
        sim.runUntil(read::isDone, Duration.ofSeconds(1));
        assertThat(read.getNow(null)).as("a read at %s", node).isNotNull()
                .satisfies(m -> assertThat(m.body().toString()).contains("\"value\":" + value));
    }

    /** Writes at every node, so that the logs have something to catch up on. */
    void load(int round) {
        for (String id : sim.nodeIds()) {
            if (sim.isUp(id)) {
                writeOk(id, round % 3, round, Duration.ofSeconds(1), false);
            }
        }
    }

    /** Restarts a crashed node and waits for its init_ok. */
    void restart(String node) {
        CompletableFuture<Message> init = sim.restart(node);
        sim.runUntil(init::isDone, Duration.ofSeconds(1));
        assertThat(init.getNow(null)).isNotNull().satisfies(m -> assertThat(m.type()).isEqualTo("init_ok"));
    }

    @Override
    public void close() {
        sim.close();
    }
}
