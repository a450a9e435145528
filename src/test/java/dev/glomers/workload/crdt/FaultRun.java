package dev.glomers.workload.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.ClusterOptions;
import dev.glomers.cluster.History;
import dev.glomers.cluster.Op;
import dev.glomers.cluster.load.ClientLoad;
import dev.glomers.cluster.load.ClientLoad.Invocation;
import dev.glomers.sim.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The runner's own client load and checker ({@link ClientLoad}) on a durable {@link Simulation} of the shipped
 * nodes, under random process and network faults in virtual time: crashes at random moments (the simulated
 * disk keeping only what was synced, maybe a torn tail), restarts, pauses, partitions, and now and then all
 * nodes killed at once. Then everything heals, every node is up, the load's final reads go to every node, and
 * the history is checked by the load's checker, as {@code bin/glomers cluster} checks a real run.
 */
public final class FaultRun {

    /** What one run found: the checker's results, and how many faults it took. */
    public record Outcome(List<CheckResult> checks, int crashes, int killAll, int pauses, int partitions, History history) {
        public boolean valid() {
            return !checks.isEmpty() && checks.stream().allMatch(CheckResult::isValid);
        }
    }

    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(5);

    private final Simulation sim;
    private final ClientLoad load;
    private final Random random;
    private final History history = new History();
    private final Set<Integer> pending = new HashSet<>();
    private final Map<Integer, Op> invocations = new HashMap<>();
    private int nextProcess;

    private FaultRun(Simulation sim, ClientLoad load) {
        this.sim = sim;
        this.load = load;
        this.random = new Random(sim.random().nextLong());
    }

    /**
     * {@code rate} client operations per second for {@code seconds} of virtual time with a fault every
     * ~{@code faultEvery}; {@code wipeOnCrash} wipes a crashed node's disk (the broken variant: as if it
     * persisted nothing).
     */
    public static Outcome run(Simulation sim, ClientLoad load, double rate, int seconds, Duration faultEvery, boolean wipeOnCrash) {
        return new FaultRun(sim, load).go(rate, seconds, faultEvery, wipeOnCrash);
    }

    private long nanos() {
        return sim.time().millis() * 1_000_000;
    }

    private void invoke(String node, Invocation invocation) {
        int process = nextProcess++;
        Op invoked = history.invoke(process, invocation.f(), invocation.value(), nanos(), node, invocation.finalRead());
        invocations.put(process, invoked);
        pending.add(process);
        sim.request(node, load.request(invocation)).thenAccept(reply -> complete(process, invocation, reply.body()));
        sim.after(CLIENT_TIMEOUT, () -> {
            if (pending.remove(process)) {
                history.complete(invoked, Op.Type.INFO, null, nanos(), "timeout");
            }
        });
    }

    private void complete(int process, Invocation invocation, com.fasterxml.jackson.databind.node.ObjectNode reply) {
        if (!pending.remove(process)) {
            return;
        }
        Op invoked = invocations.get(process);
        if ("error".equals(reply.path("type").asText())) {
            int code = reply.path("code").asInt();
            Op.Type type = load.definiteErrorCodes().contains(code) ? Op.Type.FAIL : Op.Type.INFO;
            history.complete(invoked, type, null, nanos(), "error " + code);
            return;
        }
        try {
            JsonNode value = load.readReply(invocation, reply);
            history.complete(invoked, Op.Type.OK, value, nanos(), null);
        } catch (Exception malformed) {
            history.complete(invoked, Op.Type.INFO, null, nanos(), "malformed: " + malformed.getMessage());
        }
    }

    private Outcome go(double rate, int seconds, Duration faultEvery, boolean wipeOnCrash) {
        List<String> ids = sim.nodeIds();
        Set<String> paused = new HashSet<>();
        int crashes = 0;
        int killAll = 0;
        int pauses = 0;
        int partitions = 0;
        long end = sim.time().millis() + seconds * 1000L;
        long nextFault = sim.time().millis() + faultEvery.toMillis();
        long gapNanos = (long) (1e9 / rate);
        while (sim.time().millis() < end) {
            invoke(ids.get(random.nextInt(ids.size())), load.nextInvocation(random));
            sim.runFor(Duration.ofNanos(1 + (long) (-Math.log(1 - random.nextDouble()) * gapNanos)));
            if (sim.time().millis() < nextFault) {
                continue;
            }
            nextFault = sim.time().millis() + faultEvery.toMillis() / 2 + random.nextInt((int) faultEvery.toMillis());
            // Every run kills all nodes at once at least once, past its middle (the runner's --kill-targets all).
            int kind = killAll == 0 && end - sim.time().millis() < seconds * 500L ? 0 : random.nextInt(10);
            if (kind < 5) {
                List<String> victims = kind == 0 ? ids : List.of(ids.get(random.nextInt(ids.size())));
                killAll += kind == 0 ? 1 : 0;
                for (String victim : victims) {
                    if (!sim.isUp(victim) || paused.contains(victim)) {
                        continue;
                    }
                    // at a random moment within the next few ms: mid-step, mid-sync
                    sim.after(Duration.ofNanos(random.nextInt(5_000_000)), () -> {
                        sim.crash(victim);
                        if (wipeOnCrash) {
                            sim.disk(victim).list().forEach(name -> sim.disk(victim).delete(name));
                        }
                    });
                    sim.after(Duration.ofMillis(10 + random.nextInt(3000)), () -> {
                        if (!sim.isUp(victim)) {
                            sim.restart(victim);
                        }
                    });
                    crashes++;
                }
            } else if (kind < 7) {
                String victim = ids.get(random.nextInt(ids.size()));
                if (sim.isUp(victim) && paused.add(victim)) {
                    sim.pause(victim);
                    sim.after(Duration.ofMillis(1 + random.nextInt(2000)), () -> {
                        paused.remove(victim);
                        sim.resume(victim);
                    });
                    pauses++;
                }
            } else {
                sim.partitionOrHealAtRandom();
                partitions++;
            }
        }
        sim.heal();
        sim.runFor(Duration.ofSeconds(4)); // every restart and resume drawn above is due by now
        for (String id : ids) {
            if (!sim.isUp(id)) {
                sim.restart(id);
            }
        }
        sim.runFor(Duration.ofSeconds(10)); // the workbench waits 10 s after healing before the final reads
        load.finalInvocation().ifPresent(invocation -> ids.forEach(id -> invoke(id, invocation)));
        sim.runFor(CLIENT_TIMEOUT.plusSeconds(1));
        List<CheckResult> checks = load.check(history, new ClientLoad.CheckContext(ClusterOptions.builder(load.name()).build(), ids));
        return new Outcome(checks, crashes, killAll, pauses, partitions, history);
    }
}
