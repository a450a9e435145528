package dev.glomers.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.fakes.Fakes;
import dev.glomers.cluster.fakes.TickerNode;
import dev.glomers.testing.ProductRuns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Kill, restart, pause and resume of single real node processes on the runner's network. */
@Timeout(60)
class NodeFaultsIT {

    @TempDir
    Path temp;

    private final ProtocolErrors errors = new ProtocolErrors();
    private final Network network = new Network(0, ClusterOptions.LatencyDistribution.CONSTANT, 1, errors);
    private final AtomicInteger clientIds = new AtomicInteger();
    private final List<ObjectNode> heard = new ArrayList<>();
    private NodeSet nodes;

    private NodeSet spawn(List<String> command, boolean durable) throws Exception {
        network.register("watcher", message -> {
            synchronized (heard) {
                heard.add(message);
                heard.notifyAll();
            }
        });
        nodes = new NodeSet(List.of("n0"), network, () -> new Client("c" + clientIds.incrementAndGet(), network));
        nodes.spawn(command, temp, temp, null, errors, durable);
        nodes.init();
        return nodes;
    }

    @AfterEach
    void tearDown() {
        if (nodes != null) {
            nodes.close();
        }
        network.close();
    }

    @Test
    void aKilledNodeIsSilentThenRestartsWithItsIdItsDataDirectoryAndAFreshInit() throws Exception {
        spawn(Fakes.command(TickerNode.class), true);
        ObjectNode first = awaitTick(tick -> true);
        long firstPid = first.path("body").path("pid").asLong();

        assertThat(nodes.kill("n0")).isEqualTo("killed");
        assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(nodes.restart("n0")).as("init_ok from the new process").isEqualTo("started");
        long ticksOfTheDead = count(tick -> tick.path("body").path("pid").asLong() == firstPid);

        // The new process, under the same id, counts from 1 again; 40 of its ticks later (200 ms by its
        // own clock) nothing more of the dead one has arrived.
        ObjectNode reborn = awaitTick(tick -> tick.path("body").path("pid").asLong() != firstPid
                && tick.path("body").path("n").asLong() >= 40);
        assertThat(reborn.path("src").asText()).isEqualTo("n0");
        assertThat(count(tick -> tick.path("body").path("pid").asLong() == firstPid)).isEqualTo(ticksOfTheDead);
        assertThat(reborn.path("body").path("data_dir").asText())
                .isEqualTo(first.path("body").path("data_dir").asText())
                .isEqualTo(temp.resolve("data").resolve("n0").toAbsolutePath().toString());
        assertThat(errors.examples()).isEmpty();
    }

    /** Through bin/glomers: the warm host (the forwarder asks it to hold the node), and a JVM of its own. */
    @ParameterizedTest
    @ValueSource(strings = {"on", "off"})
    void aPausedNodeAnswersNothingUntilResumedThenEverything(String host) throws Exception {
        spawn(List.of("env", "GLOMERS_HOST=" + host, ProductRuns.LAUNCHER.toString(), "echo"), false);
        Client client = new Client("c" + clientIds.incrementAndGet(), network);
        assertThat(echo(client, "before").get(10, TimeUnit.SECONDS).path("echo").asText()).isEqualTo("before");

        assertThat(nodes.pause("n0")).as("stopped on SIGTSTP, no SIGSTOP needed").isEqualTo("paused");
        List<CompletableFuture<ObjectNode>> whilePaused = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            whilePaused.add(echo(client, "during-" + i));
        }
        Thread.sleep(500); // whatever the load, a stopped node cannot answer: nothing here can come too early
        assertThat(whilePaused).noneMatch(CompletableFuture::isDone);

        assertThat(nodes.resume("n0")).isEqualTo("resumed");
        for (int i = 0; i < 5; i++) {
            assertThat(whilePaused.get(i).get(10, TimeUnit.SECONDS).path("echo").asText()).isEqualTo("during-" + i);
        }
        assertThat(echo(client, "after").get(10, TimeUnit.SECONDS).path("echo").asText()).isEqualTo("after");
        assertThat(errors.examples()).isEmpty();
    }

    private CompletableFuture<ObjectNode> echo(Client client, String text) {
        ObjectNode body = Json.object();
        body.put("type", "echo");
        body.put("echo", text);
        return client.rpc("n0", body, Duration.ofSeconds(20));
    }

    private ObjectNode awaitTick(Predicate<ObjectNode> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        synchronized (heard) {
            while (true) {
                for (ObjectNode tick : heard) {
                    if (wanted.test(tick)) {
                        return tick;
                    }
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                assertThat(left).as("the tick never came").isPositive();
                heard.wait(left);
            }
        }
    }

    private long count(Predicate<ObjectNode> which) {
        synchronized (heard) {
            return heard.stream().filter(which).count();
        }
    }
}
