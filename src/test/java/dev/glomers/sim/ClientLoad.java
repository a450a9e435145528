package dev.glomers.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Client processes on a {@link Simulation} that record a history, as the workbench's clients do: requests
 * come at a given rate (exponentially drawn gaps), each taken by a free process (one waits for a free
 * one when all are busy); a process sends one request at a time to its node (process slot i talks to
 * node i mod n), waits for the reply or gives up after {@code timeout} (an indeterminate call; the
 * process is then replaced by a fresh one, as Jepsen does).
 * Every invocation and completion takes the next number of one sequence, so real-time order is exact
 * even between events at the same virtual instant.
 */
public final class ClientLoad {

    /**
     * One client call. {@code reply} is null when the process gave up ({@code completed} is then -1);
     * times are virtual milliseconds, {@code invokeSeq} / {@code completeSeq} the order of events.
     */
    public record Call(int process, String node, ObjectNode request, long invokeSeq, long completeSeq,
                       long invokedAt, long completedAt, Message reply) {
        public boolean timedOut() {
            return reply == null;
        }

        public long latencyMillis() {
            return completedAt - invokedAt;
        }
    }

    private final Simulation sim;
    private final Duration timeout;
    private final double rate;
    private final Function<Random, ObjectNode> nextRequest;
    private final List<Call> calls = new ArrayList<>();
    private long seq;
    private int nextProcess;
    private boolean stopped;
    /** Free process slots, and the process id each slot runs now. */
    private final List<Integer> freeSlots = new ArrayList<>();
    private final int[] processOf;
    private int waitingRequests;

    private ClientLoad(Simulation sim, int processes, double rate, Duration timeout, Function<Random, ObjectNode> nextRequest) {
        this.sim = sim;
        this.rate = rate;
        this.processOf = new int[processes];
        this.timeout = timeout;
        this.nextRequest = nextRequest;
    }

    /** Starts {@code processes} client processes that together offer {@code rate} requests per second. */
    public static ClientLoad start(Simulation sim, int processes, double rate, Duration timeout,
                                   Function<Random, ObjectNode> nextRequest) {
        ClientLoad load = new ClientLoad(sim, processes, rate, timeout, nextRequest);
        for (int i = 0; i < processes; i++) {
            load.freeSlots.add(i);
            load.processOf[i] = i;
        }
        load.nextProcess = processes;
        sim.after(load.gap(), load::arrive);
        return load;
    }

    private void arrive() {
        if (stopped) {
            return;
        }
        waitingRequests++;
        dispatch();
        sim.after(gap(), this::arrive);
    }

    private void dispatch() {
        while (waitingRequests > 0 && !freeSlots.isEmpty() && !stopped) {
            waitingRequests--;
            int slot = freeSlots.remove(sim.random().nextInt(freeSlots.size()));
            invoke(slot, processOf[slot]);
        }
    }

    private void release(int slot, boolean crashed) {
        if (crashed) {
            processOf[slot] = nextProcess++;
        }
        freeSlots.add(slot);
        dispatch();
    }

    /** No new requests from now on; calls under way still complete or time out. */
    public void stop() {
        stopped = true;
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    private Duration gap() {
        return Duration.ofNanos((long) (-Math.log(1 - sim.random().nextDouble()) / rate * 1e9));
    }

    private void invoke(int slot, int process) {
        List<String> nodes = sim.nodeIds();
        String node = nodes.get(slot % nodes.size());
        ObjectNode request = nextRequest.apply(sim.random());
        long invokeSeq = ++seq;
        long invokedAt = sim.time().millis();
        CompletableFuture<Message> reply = sim.request(node, request);
        boolean[] over = {false};
        reply.thenAccept(message -> {
            if (!over[0]) {
                over[0] = true;
                calls.add(new Call(process, node, request, invokeSeq, ++seq, invokedAt, sim.time().millis(), message));
                release(slot, false);
            }
        });
        sim.after(timeout, () -> {
            if (!over[0]) {
                over[0] = true;
                calls.add(new Call(process, node, request, invokeSeq, -1, invokedAt, -1, null));
                release(slot, true);
            }
        });
    }
}
