package dev.glomers.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.load.ClientLoad;
import dev.glomers.cluster.load.ClientLoad.Invocation;
import dev.glomers.cluster.load.ClientLoad.MalformedReplyException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * The client side of a run: Jepsen's processes, each bound to one node, taking operations from the
 * generator one at a time and recording invocations and completions in the history.
 */
final class ClientWorkers {

    /** The workbench's client timeout for most workloads (lin-kv's is shorter: {@link ClientLoad#clientTimeout}). */
    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(5);

    private final ClientLoad load;
    private final Duration timeout;
    private final History history;
    private final ProtocolErrors errors;
    private final NodeSet.ClientFactory clients;
    private final LongSupplier clock;
    private final int count;
    private final BlockingQueue<Worker> free = new LinkedBlockingQueue<>();
    private final List<Worker> all = new ArrayList<>();

    /** A client worker: Jepsen's process, bound to one node, with its current client. */
    private static final class Worker {
        final int process;
        final String node;
        volatile Client client;
        /** Indeterminate operations so far: Jepsen gives the worker a new process after each. */
        volatile int crashes;

        Worker(int process, String node, Client client) {
            this.process = process;
            this.node = node;
            this.client = client;
        }
    }

    /** {@code clock}: nanoseconds since the client phase began, the history's time. */
    ClientWorkers(ClientLoad load, History history, ProtocolErrors errors, NodeSet.ClientFactory clients,
            LongSupplier clock, List<String> nodeIds, int count, Duration timeout) {
        this.load = load;
        this.timeout = timeout;
        this.history = history;
        this.errors = errors;
        this.clients = clients;
        this.clock = clock;
        this.count = count;
        for (int p = 0; p < count; p++) {
            all.add(new Worker(p, nodeIds.get(p % nodeIds.size()), clients.newClient()));
        }
        free.addAll(all);
    }

    /**
     * Operations at uniformly random intervals in [0, 2/rate] (Jepsen's stagger), each to the free worker
     * the load picks ({@link ClientLoad#dispatch}), until {@code endNanoTime}.
     */
    void generate(double rate, long startNanoTime, long endNanoTime, Random random) throws InterruptedException {
        if (rate <= 0) {
            sleepUntil(endNanoTime);
            return;
        }
        long next = startNanoTime;
        while (true) {
            next += (long) (random.nextDouble() * 2 * 1e9 / rate);
            if (next >= endNanoTime) {
                sleepUntil(endNanoTime);
                return;
            }
            sleepUntil(next);
            Worker offered = free.poll(endNanoTime - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (offered == null) {
                return;
            }
            List<ClientLoad.ClientProcess> freeNow = new ArrayList<>(List.of(current(offered)));
            free.forEach(w -> freeNow.add(current(w)));
            ClientLoad.Dispatch dispatch = load.dispatch(random,
                    new ClientLoad.Workers(freeNow, all.stream().map(this::current).toList()));
            Worker worker = all.get(dispatch.worker().thread());
            if (worker != offered) {
                if (!free.remove(worker)) {
                    throw new IllegalStateException("the load picked a busy worker: " + dispatch.worker());
                }
                free.add(offered);
            }
            invoke(worker, dispatch.invocation());
        }
    }

    /** Every worker performs {@code invocation} once (the final reads), then all are awaited. */
    void everyWorkerOnce(Invocation invocation) throws InterruptedException {
        List<Worker> workers = new ArrayList<>();
        free.drainTo(workers);
        for (Worker worker : workers) {
            invoke(worker, invocation);
        }
        awaitAll();
    }

    /** How long a worker waits for a reply before the operation is indeterminate. */
    Duration timeout() {
        return timeout;
    }

    /** Waits until every worker is free; the client timeout bounds this. */
    void awaitAll() throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos() + TimeUnit.SECONDS.toNanos(2);
        while (free.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private void invoke(Worker worker, Invocation invocation) {
        Op op = history.invoke(worker.process, invocation.f(), invocation.value(), clock.getAsLong(), worker.node,
                invocation.finalRead());
        worker.client.rpc(worker.node, load.request(invocation), timeout)
                .whenComplete((reply, failure) -> complete(worker, invocation, op, reply, failure));
    }

    private void complete(Worker worker, Invocation invocation, Op op, ObjectNode reply, Throwable failure) {
        long t = clock.getAsLong();
        Op.Type type;
        JsonNode value = op.value();
        String error = null;
        if (failure != null) {
            type = Op.Type.INFO;
            error = failure instanceof TimeoutException ? "timeout" : failure.toString();
        } else if (reply.path("type").asText().equals("error")) {
            int code = reply.path("code").asInt(-1);
            type = load.definiteErrorCodes().contains(code) ? Op.Type.FAIL : Op.Type.INFO;
            error = "error " + code + ": " + reply.path("text").asText("");
        } else {
            try {
                value = load.readReply(invocation, reply);
                type = Op.Type.OK;
            } catch (MalformedReplyException e) {
                type = Op.Type.INFO;
                error = "malformed reply: " + e.getMessage();
                errors.add(worker.node + ": " + error);
            }
        }
        if (type == Op.Type.INFO) {
            // Jepsen replaces a worker's client after an indeterminate op; a late reply then goes nowhere.
            worker.client.close();
            worker.client = clients.newClient();
            worker.crashes++;
        }
        history.complete(op, type, value, t, error);
        free.add(worker);
    }

    /** The worker as Jepsen sees it: a new process after every indeterminate operation. */
    private ClientLoad.ClientProcess current(Worker worker) {
        return new ClientLoad.ClientProcess(worker.process, worker.process + worker.crashes * count);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }
}
