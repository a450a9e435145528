package dev.glomers.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.load.ClientLoad;
import dev.glomers.cluster.load.ClientLoad.SetupException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node processes of one run: spawned on the network, initialised as the workbench does (each from a
 * client of its own, every one within 10 s), talked to by the workload's set-up, and closed. The nemesis
 * kills, restarts (a new process, the same id, init again), pauses and resumes them here.
 */
final class NodeSet implements AutoCloseable {

    static final Duration INIT_TIMEOUT = Duration.ofSeconds(10);

    private final List<String> nodeIds;
    private final Network network;
    private final ClientFactory clients;
    private final Map<String, NodeProcess> nodes = new ConcurrentHashMap<>();
    private final Set<String> dead = ConcurrentHashMap.newKeySet();
    private final Set<String> paused = ConcurrentHashMap.newKeySet();
    private Spawn spawn;

    /** How every incarnation of a node is started. */
    private record Spawn(List<String> command, Path workDir, Path runDir, PrintStream echoStderr,
            ProtocolErrors errors, boolean durable) {
    }

    /** Makes a fresh client on the network. */
    interface ClientFactory {
        Client newClient();
    }

    NodeSet(List<String> nodeIds, Network network, ClientFactory clients) {
        this.nodeIds = nodeIds;
        this.network = network;
        this.clients = clients;
    }

    /**
     * Starts every node in {@code workDir}; each one's stderr goes to {@code <runDir>/<id>.log}. With
     * {@code durable}, each node also gets {@code <runDir>/data/<id>}, fresh, in {@link #DATA_DIR_ENV}: the
     * same directory for every incarnation of that node.
     */
    void spawn(List<String> command, Path workDir, Path runDir, PrintStream echoStderr, ProtocolErrors errors,
            boolean durable) throws IOException {
        spawn = new Spawn(command, workDir, runDir, echoStderr, errors, durable);
        for (String id : nodeIds) {
            if (durable) {
                Files.createDirectories(dataDir(id));
            }
            start(id);
        }
    }

    /** The environment variable that gives a node its data directory (the launchers pass it on). */
    static final String DATA_DIR_ENV = "GLOMERS_DATA_DIR";

    Path dataDir(String id) {
        return spawn.runDir().resolve("data").resolve(id).toAbsolutePath();
    }

    private NodeProcess start(String id) throws IOException {
        Map<String, String> environment = spawn.durable() ? Map.of(DATA_DIR_ENV, dataDir(id).toString()) : Map.of();
        NodeProcess node = new NodeProcess(id, spawn.command(), spawn.workDir(), spawn.runDir().resolve(id + ".log"),
                spawn.echoStderr(), network, spawn.errors(), environment);
        nodes.put(id, node);
        network.register(id, node);
        return node;
    }

    // ---- faults ---------------------------------------------------------------------------

    /** SIGKILL; returns what happened, for the history. */
    String kill(String id) {
        if (!dead.add(id)) {
            return "already dead";
        }
        network.down(id);
        paused.remove(id); // SIGKILL ends a stopped process too
        nodes.get(id).kill();
        return "killed";
    }

    /** A new process with the same id, sent init with the same node_ids; "started" once it answered. */
    String restart(String id) throws InterruptedException {
        if (!dead.contains(id)) {
            return "already running";
        }
        NodeProcess node;
        try {
            node = start(id);
        } catch (IOException e) {
            return "could not start: " + e.getMessage();
        }
        Client client = clients.newClient();
        network.restarting(id, client.id());
        String failure;
        try {
            CompletableFuture<ObjectNode> reply = client.rpc(id, initBody(id), INIT_TIMEOUT);
            while (!reply.isDone() && node.isAlive()) {
                Thread.sleep(5);
            }
            ObjectNode ok = reply.isDone() ? reply.join() : null;
            if (ok != null && ok.path("type").asText().equals("init_ok")) {
                dead.remove(id);
                network.up(id);
                return "started";
            }
            failure = ok == null ? "exited before answering init" : "answered init with " + ok;
        } catch (CompletionException e) {
            failure = "did not answer init within " + INIT_TIMEOUT.toSeconds() + " s";
        } finally {
            client.close();
        }
        network.down(id);
        node.kill(); // still dead: the next start tries again
        return failure;
    }

    String pause(String id) throws InterruptedException {
        if (dead.contains(id)) {
            return "dead";
        }
        if (!paused.add(id)) {
            return "already paused";
        }
        try {
            return ProcessSignals.pause(nodes.get(id).pid());
        } catch (IOException e) {
            return "could not pause: " + e.getMessage();
        }
    }

    String resume(String id) throws InterruptedException {
        if (!paused.remove(id)) {
            return "not paused";
        }
        try {
            ProcessSignals.resume(nodes.get(id).pid());
            return "resumed";
        } catch (IOException e) {
            return "could not resume: " + e.getMessage();
        }
    }

    Set<String> dead() {
        return Set.copyOf(dead);
    }

    Set<String> paused() {
        return Set.copyOf(paused);
    }

    private ObjectNode initBody(String id) {
        ObjectNode init = Json.object();
        init.put("type", "init");
        init.put("node_id", id);
        init.set("node_ids", Json.valueOf(nodeIds));
        return init;
    }

    /** Every node gets init from its own client at once; each must answer init_ok within 10 s. */
    void init() throws SetupException, InterruptedException {
        Map<String, CompletableFuture<ObjectNode>> replies = new LinkedHashMap<>();
        List<Client> initClients = new ArrayList<>();
        for (String id : nodeIds) {
            Client client = clients.newClient();
            initClients.add(client);
            replies.put(id, client.rpc(id, initBody(id), INIT_TIMEOUT));
        }
        try {
            awaitInitOrExit(replies);
        } finally {
            initClients.forEach(Client::close);
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
    }

    /** Waits for every init reply, but stops early when a node process has already exited. */
    private void awaitInitOrExit(Map<String, CompletableFuture<ObjectNode>> replies)
            throws SetupException, InterruptedException {
        CompletableFuture<Void> all = CompletableFuture.allOf(replies.values().toArray(CompletableFuture[]::new));
        while (!all.isDone()) {
            for (NodeProcess node : nodes.values()) {
                if (!node.isAlive() && !replies.get(node.id()).isDone()) {
                    throw new SetupException(node.id() + " exited before answering init (see its log, "
                            + node.id() + ".log in the run directory)");
                }
            }
            Thread.sleep(20);
        }
    }

    /** What the workload's set-up may do: talk to nodes from fresh clients, 5 s per request. */
    ClientLoad.SetupContext setupContext(ClusterOptions options, Duration timeout) {
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
                Client client = clients.newClient();
                try {
                    return client.rpc(node, body, timeout).join();
                } catch (CompletionException e) {
                    throw new SetupException(node + " did not answer " + body.path("type").asText() + " within "
                            + timeout.toSeconds() + " s");
                } finally {
                    client.close();
                }
            }
        };
    }

    @Override
    public void close() {
        paused().forEach(id -> {
            try {
                resume(id); // a stopped process would take SIGTERM only once continued
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        nodes.values().parallelStream().forEach(NodeProcess::close);
    }
}
