package dev.glomers.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.load.ClientLoad;
import dev.glomers.cluster.load.ClientLoad.SetupException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The node processes of one run: spawned on the network, initialised as the workbench does (each from a
 * client of its own, every one within 10 s), talked to by the workload's set-up, and closed.
 */
final class NodeSet implements AutoCloseable {

    static final Duration INIT_TIMEOUT = Duration.ofSeconds(10);

    private final List<String> nodeIds;
    private final Network network;
    private final ClientFactory clients;
    private final List<NodeProcess> nodes = new ArrayList<>();

    /** Makes a fresh client on the network. */
    interface ClientFactory {
        Client newClient();
    }

    NodeSet(List<String> nodeIds, Network network, ClientFactory clients) {
        this.nodeIds = nodeIds;
        this.network = network;
        this.clients = clients;
    }

    /** Starts every node in {@code workDir}; each one's stderr goes to {@code <runDir>/<id>.log}. */
    void spawn(List<String> command, Path workDir, Path runDir, PrintStream echoStderr, ProtocolErrors errors)
            throws IOException {
        for (String id : nodeIds) {
            NodeProcess node = new NodeProcess(id, command, workDir, runDir.resolve(id + ".log"), echoStderr,
                    network, errors);
            nodes.add(node);
            network.register(id, node);
        }
    }

    /** Every node gets init from its own client at once; each must answer init_ok within 10 s. */
    void init() throws SetupException, InterruptedException {
        Map<String, CompletableFuture<ObjectNode>> replies = new LinkedHashMap<>();
        List<Client> initClients = new ArrayList<>();
        for (String id : nodeIds) {
            ObjectNode init = Json.object();
            init.put("type", "init");
            init.put("node_id", id);
            init.set("node_ids", Json.valueOf(nodeIds));
            Client client = clients.newClient();
            initClients.add(client);
            replies.put(id, client.rpc(id, init, INIT_TIMEOUT));
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
            for (NodeProcess node : nodes) {
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
        nodes.parallelStream().forEach(NodeProcess::close);
    }
}
