package dev.glomers.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.check.Quantiles;
import dev.glomers.cluster.load.ClientLoad.CheckContext;
import dev.glomers.cluster.load.ClientLoad.Invocation;
import dev.glomers.cluster.load.ClientLoad.MalformedReplyException;
import dev.glomers.cluster.load.ClientLoad.SetupException;
import dev.glomers.cluster.load.ClientLoad;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * One run, in the workbench's order (jepsen-io/maelstrom src/maelstrom/core.clj {@code maelstrom-test},
 * db.clj): spawn the nodes, init each from its own client (10 s), the workload's set-up (5 s per
 * request), then clients at --rate for --time-limit with the nemesis alongside, wait for the last
 * operations, heal, wait --recovery-wait, final operations, tear down, check.
 */
final class ClusterRun {

    static final Duration INIT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(5);

    private final ClusterOptions options;
    private final ClientLoad workload;
    private final PrintStream log;
    private final Random random;
    private final ProtocolErrors errors = new ProtocolErrors();
    private final History history = new History();
    private final AtomicInteger clientIds = new AtomicInteger();
    private final List<String> nodeIds;
    private final List<NodeProcess> nodes = new ArrayList<>();
    private final BlockingQueue<Worker> freeWorkers = new LinkedBlockingQueue<>();
    private Network network;
    private long startNanos;

    /** A client worker: Jepsen's process, bound to one node, with its current client. */
    private static final class Worker {
        final int process;
        final String node;
        volatile Client client;

        Worker(int process, String node, Client client) {
            this.process = process;
            this.node = node;
            this.client = client;
        }
    }

    ClusterRun(ClusterOptions options, PrintStream log) {
        this.options = options;
        this.workload = WorkloadRegistry.create(options.workload());
        this.log = log;
        this.random = new Random(options.seed());
        this.nodeIds = options.nodeIds();
    }

    ClusterResult execute() {
        long began = System.nanoTime();
        Path runDir = createRunDir();
        Path workDir = createTempDir();
        network = new Network(options.latencyMillis(), options.latencyDistribution(), random.nextLong(), errors);
        Services.start(network, random);
        String setupError = null;
        Thread nemesis = null;
        try {
            spawnNodes(runDir, workDir);
            initNodes();
            workload.setUp(setupContext());
            log.printf("set-up done in %.1f s; clients start%n", secondsOf(System.nanoTime() - began));
            startNanos = System.nanoTime();
            for (int p = 0; p < options.concurrency(); p++) {
                freeWorkers.add(new Worker(p, nodeIds.get(p % nodeIds.size()), newClient()));
            }
            nemesis = options.partitionNemesis() ? startNemesis() : null;
            generate();
            awaitWorkers();
            stopNemesis(nemesis);
            nemesis = null;
            if (workload.finalInvocation().isPresent()) {
                finalPhase(workload.finalInvocation().get());
            }
        } catch (SetupException e) {
            setupError = e.getMessage();
        } catch (IOException e) {
            setupError = "could not start the nodes: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            setupError = "interrupted";
        } finally {
            stopNemesis(nemesis);
            teardown();
            deleteRecursively(workDir);
        }
        if (setupError != null) {
            log.println("set-up failed: " + setupError);
        }
        writeHistory(runDir);
        return result(runDir, setupError, System.nanoTime() - began);
    }

    // --- set-up ---

    private void spawnNodes(Path runDir, Path workDir) throws IOException {
        List<String> command = absoluteCommand(options.command());
        log.printf("spawning %d nodes: %s%n", nodeIds.size(), String.join(" ", command));
        for (String id : nodeIds) {
            NodeProcess node = new NodeProcess(id, command, workDir, runDir.resolve(id + ".log"),
                    options.logStderr() ? log : null, network, errors);
            nodes.add(node);
            network.register(id, node);
        }
    }

    /** Every node gets init from its own client at once; each must answer init_ok within 10 s. */
    private void initNodes() throws SetupException, InterruptedException {
        long t = System.nanoTime();
        Map<String, CompletableFuture<ObjectNode>> replies = new LinkedHashMap<>();
        List<Client> clients = new ArrayList<>();
        for (String id : nodeIds) {
            ObjectNode init = Json.object();
            init.put("type", "init");
            init.put("node_id", id);
            init.set("node_ids", Json.valueOf(nodeIds));
            Client client = newClient();
            clients.add(client);
            replies.put(id, client.rpc(id, init, INIT_TIMEOUT));
        }
        try {
            awaitInitOrExit(replies);
        } finally {
            clients.forEach(Client::close);
        }
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, CompletableFuture<ObjectNode>> e : replies.entrySet()) {
            try {
                ObjectNode reply = e.getValue().join();
                if (!reply.path("type").asText().equals("init_ok")) {
                    failures.add(e.getKey() + " answered init with " + reply);
                }
            } catch (CompletionException ex) {
                failures.add(e.getKey() + " did not answer init within " + INIT_TIMEOUT.toSeconds() + " s");
            }
        }
        if (!failures.isEmpty()) {
            throw new SetupException(String.join("; ", failures) + " (see the node logs)");
        }
        log.printf("all %d nodes answered init in %.1f s%n", nodeIds.size(), secondsOf(System.nanoTime() - t));
    }

    /** Waits for every init reply, but stops early when a node process has already exited. */
    private void awaitInitOrExit(Map<String, CompletableFuture<ObjectNode>> replies)
            throws SetupException, InterruptedException {
        CompletableFuture<Void> all = CompletableFuture.allOf(replies.values().toArray(CompletableFuture[]::new));
        while (!all.isDone()) {
            for (NodeProcess node : nodes) {
                if (!node.isAlive() && !replies.get(node.id()).isDone()) {
                    throw new SetupException(node.id() + " exited before answering init (see its log, "
                            + node.id() + ".log in the run directory)");
                }
            }
            Thread.sleep(20);
        }
    }

    private ClientLoad.SetupContext setupContext() {
        return new ClientLoad.SetupContext() {
            @Override
            public List<String> nodeIds() {
                return nodeIds;
            }

            @Override
            public ClusterOptions options() {
                return options;
            }

            @Override
            public ObjectNode rpc(String node, ObjectNode body) throws SetupException {
                Client client = newClient();
                try {
                    return client.rpc(node, body, CLIENT_TIMEOUT).join();
                } catch (CompletionException e) {
                    throw new SetupException(node + " did not answer " + body.path("type").asText() + " within "
                            + CLIENT_TIMEOUT.toSeconds() + " s");
                } finally {
                    client.close();
                }
            }
        };
    }

    private Client newClient() {
        return new Client("c" + clientIds.incrementAndGet(), network);
    }

    // --- client phase ---

    /** Ops at uniformly random intervals in [0, 2/rate] (Jepsen's stagger), each to a free worker. */
    private void generate() throws InterruptedException {
        long end = startNanos + nanosOf(options.timeLimitSeconds());
        if (options.rate() <= 0) {
            sleepUntil(end);
            return;
        }
        long next = startNanos;
        while (true) {
            next += (long) (random.nextDouble() * 2 * 1e9 / options.rate());
            if (next >= end) {
                sleepUntil(end);
                return;
            }
            sleepUntil(next);
            Worker worker = freeWorkers.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (worker == null) {
                return;
            }
            invoke(worker, workload.nextInvocation(random));
        }
    }

    private void invoke(Worker worker, Invocation invocation) {
        Op op = history.invoke(worker.process, invocation.f(), invocation.value(), now(), worker.node,
                invocation.finalRead());
        worker.client.rpc(worker.node, workload.request(invocation), CLIENT_TIMEOUT)
                .whenComplete((reply, failure) -> complete(worker, invocation, op, reply, failure));
    }

    private void complete(Worker worker, Invocation invocation, Op op, ObjectNode reply, Throwable failure) {
        long t = now();
        Op.Type type;
        JsonNode value = op.value();
        String error = null;
        if (failure != null) {
            type = Op.Type.INFO;
            error = failure instanceof TimeoutException ? "timeout" : failure.toString();
        } else if (reply.path("type").asText().equals("error")) {
            int code = reply.path("code").asInt(-1);
            type = workload.definiteErrorCodes().contains(code) ? Op.Type.FAIL : Op.Type.INFO;
            error = "error " + code + ": " + reply.path("text").asText("");
        } else {
            try {
                value = workload.readReply(invocation, reply);
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
            worker.client = newClient();
        }
        history.complete(op, type, value, t, error);
        freeWorkers.add(worker);
    }

    /** Waits until every worker is free; client timeouts bound this to about 5 s. */
    private void awaitWorkers() throws InterruptedException {
        long deadline = System.nanoTime() + CLIENT_TIMEOUT.toNanos() + nanosOf(2);
        while (freeWorkers.size() < options.concurrency() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private void finalPhase(Invocation finalInvocation) throws InterruptedException {
        log.printf("healing; waiting %.0f s before the final operations%n", options.recoveryWaitSeconds());
        Thread.sleep((long) (options.recoveryWaitSeconds() * 1000));
        List<Worker> workers = new ArrayList<>();
        freeWorkers.drainTo(workers);
        for (Worker worker : workers) {
            invoke(worker, finalInvocation);
        }
        awaitWorkers();
    }

    // --- nemesis ---

    /** Partitions start and stop alternately, at uniformly random intervals in [0, 2 x interval]. */
    private Thread startNemesis() {
        Random nemesisRandom = new Random(random.nextLong());
        Thread t = new Thread(() -> {
            boolean partitioned = false;
            try {
                while (true) {
                    Thread.sleep((long) (nemesisRandom.nextDouble() * 2 * options.nemesisIntervalSeconds() * 1000));
                    if (partitioned) {
                        heal();
                    } else {
                        var partition = Partitions.random(nodeIds, nemesisRandom);
                        network.partition(partition.getValue());
                        history.nemesis("start-partition", Json.valueOf(Map.of(
                                "spec", partition.getKey(), "grudge", new TreeMap<>(partition.getValue()))), now());
                        log.println("partition " + partition.getKey() + ": " + new TreeMap<>(partition.getValue()));
                    }
                    partitioned = !partitioned;
                }
            } catch (InterruptedException e) {
                // the client phase is over
            }
        }, "cluster-nemesis");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void stopNemesis(Thread nemesis) {
        if (nemesis == null) {
            return;
        }
        nemesis.interrupt();
        try {
            nemesis.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        heal();
    }

    private void heal() {
        network.heal();
        history.nemesis("stop-partition", TextNode.valueOf("fully connected"), now());
        log.println("network healed");
    }

    // --- teardown and results ---

    private void teardown() {
        nodes.parallelStream().forEach(NodeProcess::close);
        network.close();
    }

    private ClusterResult result(Path runDir, String setupError, long elapsedNanos) {
        List<CheckResult> checks = new ArrayList<>();
        if (setupError == null) {
            checks.addAll(workload.check(history, new CheckContext(options, nodeIds)));
            checks.add(availability());
        } else {
            checks.add(new CheckResult("set-up", Verdict.INVALID, setupError, Map.of()));
        }
        checks.add(protocol());
        Verdict verdict = checks.stream().map(CheckResult::verdict).reduce(Verdict.VALID, Verdict::and);
        long opCount = history.clientInvocations();
        return new ClusterResult(options, verdict, setupError, checks, network.stats().report(opCount), opCount,
                latencies(), runDir, secondsOf(elapsedNanos), history);
    }

    /** maelstrom/checker.clj availability-checker: ok completions / invocations, against --availability. */
    private CheckResult availability() {
        List<Op> ops = history.ops();
        long invokes = ops.stream().filter(op -> op.isClientOp() && op.isInvoke()).count();
        long oks = ops.stream().filter(op -> op.isClientOp() && op.isOk()).count();
        double fraction = invokes == 0 ? 1 : (double) oks / invokes;
        Double required = options.availability();
        Verdict verdict = required == null ? Verdict.VALID
                : required == 1.0 ? Verdict.of(oks == invokes) : Verdict.of(fraction >= required);
        String summary = String.format("%d of %d operations ok (%.4f)%s", oks, invokes, fraction,
                required == null ? "" : required == 1.0 ? ", total availability required" : ", required " + required);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("ok-fraction", fraction);
        details.put("ok-count", oks);
        details.put("invoke-count", invokes);
        details.put("fail-count", ops.stream().filter(op -> op.isClientOp() && op.type() == Op.Type.FAIL).count());
        details.put("info-count", ops.stream().filter(op -> op.isClientOp() && op.type() == Op.Type.INFO).count());
        details.put("by-f", countsByF(ops));
        return new CheckResult("availability", verdict, summary, details);
    }

    /** Completions per operation and outcome, like Jepsen's stats checker: {read={ok=10, info=1}, ...}. */
    private static Map<String, Map<String, Long>> countsByF(List<Op> ops) {
        Map<String, Map<String, Long>> byF = new TreeMap<>();
        for (Op op : ops) {
            if (op.isClientOp() && !op.isInvoke()) {
                byF.computeIfAbsent(op.f(), f -> new TreeMap<>()).merge(op.type().name().toLowerCase(), 1L, Long::sum);
            }
        }
        return byF;
    }

    /** Our own check: the wire was clean (every stdout line JSON, replies well-formed, no early exits). */
    private CheckResult protocol() {
        long count = errors.count();
        return new CheckResult("protocol", Verdict.of(count == 0),
                count == 0 ? "clean wire" : count + " protocol errors, e.g. " + errors.examples().get(0),
                Map.of("error-count", count, "examples", errors.examples()));
    }

    /** Client latency quantiles in ms over ok operations, overall and by f. */
    private Map<String, Map<String, Long>> latencies() {
        List<Op> ops = history.ops();
        Map<String, List<Long>> byF = new TreeMap<>();
        List<Long> all = new ArrayList<>();
        for (Op op : ops) {
            if (op.isClientOp() && op.isOk()) {
                long ms = TimeUnit.NANOSECONDS.toMillis(op.timeNanos() - ops.get(op.invocation()).timeNanos());
                all.add(ms);
                byF.computeIfAbsent(op.f(), f -> new ArrayList<>()).add(ms);
            }
        }
        Map<String, Map<String, Long>> result = new LinkedHashMap<>();
        result.put("all", Quantiles.of(all));
        byF.forEach((f, samples) -> result.put(f, Quantiles.of(samples)));
        return result;
    }

    private void writeHistory(Path runDir) {
        try (Writer w = Files.newBufferedWriter(runDir.resolve("history.jsonl"), StandardCharsets.UTF_8)) {
            for (Op op : history.ops()) {
                w.write(Json.write(Json.valueOf(op)));
                w.write('\n');
            }
        } catch (IOException e) {
            log.println("could not write the history: " + e.getMessage());
        }
    }

    // --- helpers ---

    private long now() {
        return System.nanoTime() - startNanos;
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    private static long nanosOf(double seconds) {
        return (long) (seconds * 1e9);
    }

    private static double secondsOf(long nanos) {
        return nanos / 1e9;
    }

    /** Nodes run in a temp dir, so a relative --bin is resolved against our working directory first. */
    private static List<String> absoluteCommand(List<String> command) {
        List<String> absolute = new ArrayList<>(command);
        String bin = command.get(0);
        if (bin.contains("/")) {
            absolute.set(0, Path.of(bin).toAbsolutePath().normalize().toString());
        }
        return absolute;
    }

    private Path createRunDir() {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS"));
        Path dir = options.storeDir().resolve(options.workload()).resolve(stamp);
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path createTempDir() {
        try {
            return Files.createTempDirectory("glomers-cluster");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp dir is harmless
        }
    }
}
