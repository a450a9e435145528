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
 * Client processes on a {@link Simulation} that record a history, as the workbench's clients do: each
 * process sends one request at a time to its node (process i talks to node i mod n), waits for the
 * reply or gives up after {@code timeout} (an indeterminate call; the process is then replaced by a
 * fresh one, as Jepsen does), then waits an exponentially drawn pause before its next request.
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
    private final Duration meanPause;
    private final Function<Random, ObjectNode> nextRequest;
    private final List<Call> calls = new ArrayList<>();
    private long seq;
    private int nextProcess;
    private boolean stopped;

    private ClientLoad(Simulation sim, Duration meanPause, Duration timeout, Function<Random, ObjectNode> nextRequest) {
        this.sim = sim;
        this.meanPause = meanPause;
        this.timeout = timeout;
        this.nextRequest = nextRequest;
    }

    /**
     * Starts {@code processes} client processes. With p processes and a mean pause m, the offered rate
     * is about p / (m + latency) requests per second.
     */
    public static ClientLoad start(Simulation sim, int processes, Duration meanPause, Duration timeout,
                                   Function<Random, ObjectNode> nextRequest) {
        ClientLoad load = new ClientLoad(sim, meanPause, timeout, nextRequest);
        load.nextProcess = processes;
        for (int i = 0; i < processes; i++) {
            int slot = i;
            sim.after(load.pause(), () -> load.invoke(slot, slot));
        }
        return load;
    }

    /** No new requests from now on; calls under way still complete or time out. */
    public void stop() {
        stopped = true;
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    private Duration pause() {
        return Duration.ofNanos((long) (-Math.log(1 - sim.random().nextDouble()) * meanPause.toNanos()));
    }

    private void invoke(int slot, int process) {
        if (stopped) {
            return;
        }
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
                sim.after(pause(), () -> invoke(slot, process));
            }
        });
        sim.after(timeout, () -> {
            if (!over[0]) {
                over[0] = true;
                calls.add(new Call(process, node, request, invokeSeq, -1, invokedAt, -1, null));
                sim.after(pause(), () -> invoke(slot, nextProcess++));
            }
        });
    }
}
