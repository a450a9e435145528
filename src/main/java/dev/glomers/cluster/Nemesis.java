package dev.glomers.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The nemesis of --nemesis: at uniformly random intervals in [0, 2 x interval] it picks one of the faults
 * asked for at random (Jepsen's gen/mix) and flips it: a fault not in force begins (kill some nodes, pause
 * some, partition the network), one in force ends (restart them, resume them, heal). Targets are drawn
 * from --kill-targets, --pause-targets and --partition-targets. Every change is a nemesis operation in the
 * history. {@link #stop} ends every fault in force, so the final operations meet a whole cluster.
 */
final class Nemesis {

    private final Network network;
    private final NodeSet nodes;
    private final History history;
    private final LongSupplier clock;
    private final Consumer<String> log;
    private final Consumer<String> status;
    private final Set<String> inForce = ConcurrentHashMap.newKeySet();
    private CountDownLatch stopSignal;
    private Thread thread;

    /** {@code status} hears the faults in force after every change ("partitioned, dead n1, paused n2"). */
    Nemesis(Network network, NodeSet nodes, History history, LongSupplier clock, Consumer<String> log,
            Consumer<String> status) {
        this.network = network;
        this.nodes = nodes;
        this.history = history;
        this.clock = clock;
        this.log = log;
        this.status = status;
    }

    void start(ClusterOptions options, List<String> nodeIds, long seed) {
        List<String> kinds = options.faults();
        if (kinds.isEmpty()) {
            return;
        }
        Random random = new Random(seed);
        CountDownLatch stop = new CountDownLatch(1);
        stopSignal = stop;
        long intervalMillis = (long) (options.nemesisIntervalSeconds() * 1000);
        thread = new Thread(() -> {
            try {
                // A step is never cut short: stop() waits for it, then ends what is in force.
                while (!stop.await((long) (random.nextDouble() * 2 * intervalMillis), TimeUnit.MILLISECONDS)) {
                    // one kind draws nothing, so partition-only runs draw what they always drew
                    String kind = kinds.size() == 1 ? kinds.get(0) : kinds.get(random.nextInt(kinds.size()));
                    if (inForce.contains(kind)) {
                        end(kind);
                    } else {
                        begin(kind, options, nodeIds, random);
                    }
                }
            } catch (InterruptedException e) {
                // the run is being torn down
            }
        }, "cluster-nemesis");
        thread.setDaemon(true);
        thread.start();
    }

    private void begin(String kind, ClusterOptions options, List<String> nodeIds, Random random)
            throws InterruptedException {
        inForce.add(kind);
        if (kind.equals(Faults.PARTITION)) {
            List<String> specs = options.get(ClusterOptions.PARTITION_TARGETS);
            String spec = specs.get(random.nextInt(specs.size()));
            Map<String, Set<String>> grudge = Partitions.grudge(spec, nodeIds, random);
            network.partition(grudge);
            history.nemesis(Faults.beginning(kind), Json.valueOf(Map.of("spec", spec, "grudge",
                    new TreeMap<>(grudge))), clock.getAsLong());
            status.accept(inForceNow());
            log.accept("partition " + spec + ": " + new TreeMap<>(grudge));
            return;
        }
        List<String> specs = options.get(kind.equals(Faults.KILL) ? ClusterOptions.KILL_TARGETS
                : ClusterOptions.PAUSE_TARGETS);
        String spec = specs.get(random.nextInt(specs.size()));
        List<String> targets = Faults.nodes(spec, nodeIds, random);
        long began = clock.getAsLong();
        Map<String, String> results = forEach(targets, id -> kind.equals(Faults.KILL) ? nodes.kill(id) : nodes.pause(id));
        ObjectNode value = Json.object();
        value.put("spec", spec);
        value.set("nodes", Json.valueOf(results));
        // recorded when the fault is in force: every target dead, or stopped
        history.nemesis(Faults.beginning(kind), value, Math.max(began, clock.getAsLong()));
        log.accept(kind + " " + spec + ": " + results);
        status.accept(inForceNow());
    }

    private void end(String kind) throws InterruptedException {
        inForce.remove(kind);
        if (kind.equals(Faults.PARTITION)) {
            network.heal();
            history.nemesis(Faults.end(kind), TextNode.valueOf("fully connected"), clock.getAsLong());
            status.accept(inForceNow());
            log.accept("network healed");
            return;
        }
        boolean kill = kind.equals(Faults.KILL);
        Collection<String> targets = kill ? nodes.dead() : nodes.paused();
        Map<String, String> results = forEach(targets, id -> kill ? nodes.restart(id) : nodes.resume(id));
        // a start is recorded when every node answered init again; a resume when the signals went out
        history.nemesis(Faults.end(kind), Json.valueOf(results), clock.getAsLong());
        log.accept(Faults.end(kind) + ": " + results);
        status.accept(inForceNow());
    }

    /** What a fault does to one node; may wait (a restart waits for init_ok). */
    private interface NodeAction {
        String apply(String id) throws InterruptedException;
    }

    /** Applies {@code action} to every target at once, one thread each; results by node, sorted. */
    private static Map<String, String> forEach(Collection<String> targets, NodeAction action)
            throws InterruptedException {
        Map<String, String> results = new ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        for (String id : new LinkedHashSet<>(targets)) {
            Thread t = new Thread(() -> {
                try {
                    results.put(id, action.apply(id));
                } catch (InterruptedException e) {
                    results.put(id, "interrupted");
                }
            }, "nemesis-" + id);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        return new TreeMap<>(results);
    }

    /**
     * Stops drawing faults, waits for a step under way, then ends every fault in force: heals the network,
     * resumes paused nodes, restarts killed ones. Does nothing when never started or already stopped.
     * Synchronized: --final-quiet stops it from its own thread, and the run's tear-down may come meanwhile.
     */
    synchronized void stop() {
        if (thread == null) {
            return;
        }
        stopSignal.countDown();
        try {
            thread.join();
            for (String kind : Faults.KINDS) {
                // also a node a failed restart left dead, or a pause whose resume failed
                boolean left = kind.equals(Faults.KILL) ? !nodes.dead().isEmpty()
                        : kind.equals(Faults.PAUSE) && !nodes.paused().isEmpty();
                if (inForce.contains(kind) || left) {
                    end(kind);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread = null;
    }

    private String inForceNow() {
        List<String> parts = new ArrayList<>();
        if (inForce.contains(Faults.PARTITION)) {
            parts.add("partitioned");
        }
        nodes.dead().stream().sorted().forEach(id -> parts.add("dead " + id));
        nodes.paused().stream().sorted().forEach(id -> parts.add("paused " + id));
        return String.join(", ", parts);
    }
}
