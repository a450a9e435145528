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
 * Client processes on a {@link Simulation}, in virtual time, in one of two modes:
 * <ul>
 * <li>{@link #atRate}: requests arrive at a given rate (exponentially drawn gaps) and each is taken by a
 * free process (it waits for one when all are busy), as the workbench's clients do. A process sends one
 * request at a time to its node (process slot i talks to node i mod n) and waits for the reply or gives
 * up after {@code timeout} (an indeterminate call; the process is then replaced by a fresh one, as Jepsen
 * does). Every call is recorded; invocations and completions take the next number of one sequence, so
 * real-time order is exact even between events at the same virtual instant.</li>
 * <li>{@link #closedLoop}: a fixed number of processes per node, each running an operation of the test's
 * own (one or several requests, recorded as the test likes) again a think time after the last one
 * ended.</li>
 * </ul>
 * {@link #stop()} ends either: no new operations, those under way still complete (or time out).
 */
public final class SimulatedClients {

    /**
     * One recorded call. {@code reply} is null when the process gave up ({@code completeSeq} and
     * {@code completedAt} are then -1); times are virtual milliseconds, {@code invokeSeq} /
     * {@code completeSeq} the order of events.
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

    /** One operation of a closed-loop client: sends its request(s) and returns what completes when it is over. */
    @FunctionalInterface
    public interface Operation {
        CompletableFuture<?> run(int process, String node);
    }

    private final Simulation sim;
    private final boolean recording;
    private boolean stopped;

    // ---- the rate mode's state
    private Duration timeout;
    private double rate;
    private Function<Random, ObjectNode> nextRequest;
    private final List<Call> calls = new ArrayList<>();
    private long seq;
    private int nextProcess;
    /** Free process slots, and the process id each slot runs now. */
    private final List<Integer> freeSlots = new ArrayList<>();
    private int[] processOf;
    private int waitingRequests;

    private SimulatedClients(Simulation sim, boolean recording) {
        this.sim = sim;
        this.recording = recording;
    }

    /** Starts {@code processes} recording client processes that together offer {@code rate} requests per second. */
    public static SimulatedClients atRate(Simulation sim, int processes, double rate, Duration timeout,
                                          Function<Random, ObjectNode> nextRequest) {
        SimulatedClients clients = new SimulatedClients(sim, true);
        clients.rate = rate;
        clients.timeout = timeout;
        clients.nextRequest = nextRequest;
        clients.processOf = new int[processes];
        for (int i = 0; i < processes; i++) {
            clients.freeSlots.add(i);
            clients.processOf[i] = i;
        }
        clients.nextProcess = processes;
        sim.after(clients.gap(), clients::arrive);
        return clients;
    }

    /**
     * Starts closed-loop clients: {@code perNode} on every node (processes 0, 1, ... node by node), each
     * bound to its node, each running {@code operation} again {@code think} after the last one ended.
     */
    public static SimulatedClients closedLoop(Simulation sim, int perNode, Duration think, Operation operation) {
        SimulatedClients clients = new SimulatedClients(sim, false);
        int process = 0;
        for (String node : sim.nodeIds()) {
            for (int i = 0; i < perNode; i++) {
                clients.runClosedLoop(process++, node, think, operation);
            }
        }
        return clients;
    }

    /** No new operations from now on; those under way still complete or time out. */
    public void stop() {
        stopped = true;
    }

    /** The calls recorded so far by {@link #atRate} clients; closed-loop clients record nothing, so asking them is a mistake. */
    public List<Call> calls() {
        if (!recording) {
            throw new IllegalStateException("closed-loop clients record no calls; their operations keep the history");
        }
        return List.copyOf(calls);
    }

    // ---- closed loop ------------------------------------------------------------------------

    private void runClosedLoop(int process, String node, Duration think, Operation operation) {
        if (!stopped) {
            operation.run(process, node).whenComplete((done, failure) ->
                    sim.after(think, () -> runClosedLoop(process, node, think, operation)));
        }
    }

    // ---- at a rate --------------------------------------------------------------------------

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
