package dev.glomers.cluster;

import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.Progress.Phase;
import dev.glomers.cluster.load.ClientLoad;
import dev.glomers.cluster.load.ClientLoad.CheckContext;
import dev.glomers.cluster.load.ClientLoad.Invocation;
import dev.glomers.cluster.load.ClientLoad.SetupException;
import dev.glomers.cluster.report.HtmlReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One run, in the workbench's order (jepsen-io/maelstrom src/maelstrom/core.clj {@code maelstrom-test},
 * db.clj): spawn the nodes, init each from its own client (10 s), the workload's set-up (5 s per
 * request), then clients at --rate for --time-limit with the nemesis alongside, wait for the last
 * operations, heal, wait --recovery-wait, final operations, tear down, check, and write the run
 * directory (history.jsonl, results.json, report.html). The parts live in {@link NodeSet},
 * {@link ClientWorkers}, {@link Nemesis}, {@link RunChecks} and {@link RunDirectory}.
 */
final class ClusterRun {

    private final ClusterOptions options;
    private final ClientLoad load;
    private final Progress progress;
    private final Random random;
    private final ProtocolErrors errors = new ProtocolErrors();
    private final History history = new History();
    private final AtomicInteger clientIds = new AtomicInteger();
    private final List<String> nodeIds;
    private final MessageJournal journal;
    private Network network;
    private long startNanos;

    ClusterRun(ClusterOptions options, Progress progress) {
        this.options = options;
        this.load = WorkloadRegistry.create(options.workload());
        this.progress = progress;
        this.random = new Random(options.seed());
        this.nodeIds = options.nodeIds();
        this.journal = new MessageJournal(options.diagramWindow().fromNanos(), options.diagramWindow().toNanos());
    }

    ClusterResult execute() {
        long began = System.nanoTime();
        Path runDir = RunDirectory.create(options.storeDir(), options.workload());
        Path workDir = RunDirectory.createWorkDir();
        network = new Network(options.latencyMillis(), options.latencyDistribution(), random.nextLong(), errors);
        network.journal(journal);
        Services.start(network, random);
        NodeSet nodes = new NodeSet(nodeIds, network, this::newClient);
        Nemesis nemesis = new Nemesis(network, nodes, history, this::now, progress::println, progress::faults);
        String setupError = null;
        try {
            progress.phase(Phase.SPAWN, 0);
            List<String> command = absoluteCommand(options.command());
            progress.println(String.format(Locale.ROOT, "spawning %d nodes: %s", nodeIds.size(),
                    String.join(" ", command)));
            nodes.spawn(command, workDir, runDir, options.logStderr() ? progress.lines() : null, errors,
                    options.killNemesis());
            progress.phase(Phase.INIT, NodeSet.INIT_TIMEOUT.toSeconds());
            long initBegan = System.nanoTime();
            nodes.init();
            progress.println(String.format(Locale.ROOT, "all %d nodes answered init in %.1f s", nodeIds.size(),
                    secondsOf(System.nanoTime() - initBegan)));
            progress.phase(Phase.SET_UP, 0);
            load.setUp(nodes.setupContext(options, ClientWorkers.CLIENT_TIMEOUT));
            progress.println(String.format(Locale.ROOT, "set-up done in %.1f s; clients start",
                    secondsOf(System.nanoTime() - began)));
            clientPhase(nemesis);
        } catch (SetupException e) {
            setupError = e.getMessage();
        } catch (IOException e) {
            setupError = "could not start the nodes: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            setupError = "interrupted";
        } finally {
            nemesis.stop();
            nodes.close();
            network.close();
            RunDirectory.deleteRecursively(workDir);
        }
        if (setupError != null) {
            progress.println("set-up failed: " + setupError);
        }
        progress.phase(Phase.CHECKING, 0);
        ClusterResult result = result(runDir, setupError, System.nanoTime() - began);
        writeFiles(result);
        return result;
    }

    private void clientPhase(Nemesis nemesis) throws InterruptedException {
        startNanos = System.nanoTime();
        journal.start(startNanos);
        ClientWorkers workers = new ClientWorkers(load, history, errors, this::newClient, this::now, nodeIds,
                options.concurrency(), load.clientTimeout(options));
        progress.history(history);
        progress.phase(Phase.CLIENTS, options.timeLimitSeconds());
        Thread quietEnd = null;
        if (!options.faults().isEmpty()) {
            nemesis.start(options, nodeIds, random.nextLong());
            if (options.finalQuietSeconds() > 0) {
                quietEnd = endFaultsAt(nemesis,
                        startNanos + nanosOf(Math.max(0, options.timeLimitSeconds() - options.finalQuietSeconds())));
            }
        }
        workers.generate(options.rate(), startNanos, startNanos + nanosOf(options.timeLimitSeconds()), random);
        if (quietEnd != null) {
            quietEnd.join();
        }
        progress.phase(Phase.DRAINING, workers.timeout().toSeconds());
        workers.awaitAll();
        nemesis.stop();
        Optional<Invocation> finalInvocation = load.finalInvocation();
        if (finalInvocation.isPresent()) {
            progress.println(String.format(Locale.ROOT, "healing; waiting %.0f s before the final operations",
                    options.recoveryWaitSeconds()));
            progress.phase(Phase.RECOVERY, options.recoveryWaitSeconds());
            Thread.sleep((long) (options.recoveryWaitSeconds() * 1000));
            progress.phase(Phase.FINAL_READS, workers.timeout().toSeconds());
            workers.everyWorkerOnce(finalInvocation.get());
        }
        History.Counts c = history.counts();
        progress.println(String.format(Locale.ROOT,
                "clients done: %d operations, %d ok, %d failed, %d indeterminate", c.invoked(), c.ok(), c.failed(),
                c.indeterminate()));
    }

    /** --final-quiet: at {@code nanoTime} the nemesis stops and ends every fault, while the clients go on. */
    private Thread endFaultsAt(Nemesis nemesis, long nanoTime) {
        Thread t = new Thread(() -> {
            try {
                long wait = nanoTime - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                progress.println(String.format(Locale.ROOT, "final quiet: ending every fault %.0f s before the end",
                        options.finalQuietSeconds()));
                nemesis.stop();
            } catch (InterruptedException e) {
                // the run is being torn down; its own stop ends the faults
            }
        }, "cluster-final-quiet");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private Client newClient() {
        return new Client("c" + clientIds.incrementAndGet(), network);
    }

    private ClusterResult result(Path runDir, String setupError, long elapsedNanos) {
        List<Op> ops = history.ops();
        List<CheckResult> checks = new ArrayList<>();
        if (setupError == null) {
            checks.addAll(load.check(history, new CheckContext(options, nodeIds)));
            checks.add(RunChecks.availability(ops, options.availability()));
        } else {
            checks.add(new CheckResult("set-up", Verdict.INVALID, setupError, Map.of()));
        }
        checks.add(RunChecks.protocol(errors));
        Verdict verdict = checks.stream().map(CheckResult::verdict).reduce(Verdict.VALID, Verdict::and);
        long opCount = history.clientInvocations();
        return new ClusterResult(options, verdict, setupError, checks, network.stats().report(opCount), opCount,
                RunChecks.latencies(ops), runDir, secondsOf(elapsedNanos), history);
    }

    /** history.jsonl, results.json and report.html in the run directory; a failure here spoils no verdict. */
    private void writeFiles(ClusterResult result) {
        Path runDir = result.runDir();
        try {
            RunDirectory.writeHistory(runDir, history);
        } catch (IOException e) {
            progress.println("could not write the history: " + e.getMessage());
        }
        try {
            result.writeJson(runDir.resolve("results.json"));
        } catch (IOException e) {
            progress.println("could not write results.json: " + e.getMessage());
        }
        try {
            HtmlReport.write(result, journal, runDir.resolve(ClusterResult.REPORT_FILE));
        } catch (IOException | RuntimeException e) {
            progress.println("could not write " + ClusterResult.REPORT_FILE + ": " + e);
        }
    }

    private long now() {
        return System.nanoTime() - startNanos;
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
}
