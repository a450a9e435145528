package dev.glomers.cluster;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The partition nemesis: partitions start and stop alternately, at uniformly random intervals in
 * [0, 2 x interval], each recorded in the history as a nemesis operation.
 */
final class PartitionNemesis {

    private final Network network;
    private final History history;
    private final LongSupplier clock;
    private final Consumer<String> log;
    private final Consumer<Boolean> partitioned;
    private Thread thread;

    PartitionNemesis(Network network, History history, LongSupplier clock, Consumer<String> log,
            Consumer<Boolean> partitioned) {
        this.network = network;
        this.history = history;
        this.clock = clock;
        this.log = log;
        this.partitioned = partitioned;
    }

    void start(List<String> nodeIds, double intervalSeconds, long seed) {
        Random random = new Random(seed);
        thread = new Thread(() -> {
            boolean on = false;
            try {
                while (true) {
                    Thread.sleep((long) (random.nextDouble() * 2 * intervalSeconds * 1000));
                    if (on) {
                        heal();
                    } else {
                        var partition = Partitions.random(nodeIds, random);
                        network.partition(partition.getValue());
                        history.nemesis("start-partition", Json.valueOf(Map.of(
                                "spec", partition.getKey(), "grudge", new TreeMap<>(partition.getValue()))),
                                clock.getAsLong());
                        partitioned.accept(true);
                        log.accept("partition " + partition.getKey() + ": " + new TreeMap<>(partition.getValue()));
                    }
                    on = !on;
                }
            } catch (InterruptedException e) {
                // the client phase is over
            }
        }, "cluster-nemesis");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops changing the network and heals it; does nothing when never started or already stopped. */
    void stop() {
        if (thread == null) {
            return;
        }
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread = null;
        heal();
    }

    private void heal() {
        network.heal();
        history.nemesis("stop-partition", TextNode.valueOf("fully connected"), clock.getAsLong());
        partitioned.accept(false);
        log.accept("network healed");
    }
}
