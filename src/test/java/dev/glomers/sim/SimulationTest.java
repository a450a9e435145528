package dev.glomers.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Body;
import dev.glomers.node.Core;
import dev.glomers.node.CoreDriver;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The simulation itself, and the core driver it runs: virtual time, faults, determinism. */
class SimulationTest {

    /**
     * A toy core: a client's "ping" makes this node ask every peer and answer once all peers answered,
     * re-asking the silent ones every 300 ms (its own deadline, since the network never reports a loss).
     * Idle otherwise: it asks for no tick.
     */
    static final class PingCore implements Core {
        private final String self;
        private final List<String> peers;
        private final List<String> log;
        private Message client;
        private final List<String> waitingFor = new ArrayList<>();
        private long resendAt = Long.MAX_VALUE;

        PingCore(String self, List<String> nodeIds, List<String> log) {
            this.self = self;
            this.peers = nodeIds.stream().filter(id -> !id.equals(self)).toList();
            this.log = log;
        }

        record Ping() implements Body {
            public String type() {
                return "ping";
            }
        }

        record Pong() implements Body {
            public String type() {
                return "pong";
            }
        }

        @Override
        public void receive(Message message, long now, Effects out) {
            switch (message.type()) {
                case "ping" -> {
                    if (message.fromClient()) {
                        if (client != null) {
                            throw RpcError.unavailable("one ping at a time");
                        }
                        client = message;
                        waitingFor.addAll(peers);
                        askAll(now, out);
                    } else {
                        out.reply(message, new Pong());
                    }
                }
                case "pong" -> {
                    log.add(now + " " + self + " pong from " + message.src());
                    waitingFor.remove(message.src());
                    if (waitingFor.isEmpty() && client != null) {
                        out.reply(client, Body.of("ping_ok"));
                        client = null;
                        resendAt = Long.MAX_VALUE;
                    }
                }
                default -> throw RpcError.notSupported(message.type());
            }
        }

        private void askAll(long now, Effects out) {
            waitingFor.forEach(peer -> out.request(peer, new Ping()));
            resendAt = now + 300;
        }

        @Override
        public void tick(long now, Effects out) {
            if (now >= resendAt) {
                log.add(now + " " + self + " resend to " + waitingFor);
                askAll(now, out);
            }
        }

        @Override
        public long wakeAt() {
            return resendAt;
        }
    }

    private static List<String> runPings(long seed) {
        List<String> log = new ArrayList<>();
        try (Simulation sim = Simulation.startWired(5, seed,
                node -> CoreDriver.drive(node, () -> new PingCore(node.id(), node.nodeIds(), log)))) {
            sim.latency(Duration.ofMillis(50), Simulation.Latency.EXPONENTIAL).dropRate(0.3).duplicateRate(0.2);
            List<CompletableFuture<Message>> replies = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                sim.runFor(Duration.ofMillis(sim.random().nextInt(2000)));
                replies.add(sim.request("n" + (i % 5), "{\"type\":\"ping\"}"));
                assertThat(sim.runUntil(() -> replies.get(replies.size() - 1).isDone(), Duration.ofSeconds(30))).isTrue();
            }
            assertThat(replies).allSatisfy(reply -> assertThat(reply.getNow(null).type()).isEqualTo("ping_ok"));
            log.add("servers " + sim.serverMessages());
        }
        return log;
    }

    @Test
    void theSameSeedGivesTheSameRunMessageForMessage() {
        List<String> first = runPings(7);
        assertThat(first).anyMatch(line -> line.contains("resend")); // the drops did bite
        assertThat(runPings(7)).isEqualTo(first);
        assertThat(runPings(8)).isNotEqualTo(first);
    }

    @Test
    void anIdleCoreIsNeverWoken() {
        List<String> log = new ArrayList<>();
        try (Simulation sim = Simulation.startWired(3, 1,
                node -> CoreDriver.drive(node, () -> new PingCore(node.id(), node.nodeIds(), log)))) {
            sim.latency(Duration.ofMillis(10), Simulation.Latency.CONSTANT);
            CompletableFuture<Message> reply = sim.request("n0", "{\"type\":\"ping\"}");
            sim.runFor(Duration.ofSeconds(1));
            assertThat(reply.getNow(null).type()).isEqualTo("ping_ok");
            long before = sim.allMessages();
            sim.runFor(Duration.ofMinutes(10));
            assertThat(sim.allMessages()).isEqualTo(before);
            // The one tick left behind by the answered ping ran or was cancelled; nothing keeps waking up.
            assertThat(sim.time().pending()).isZero();
        }
    }

    @Test
    void aCoreErrorBecomesTheErrorReplyAndPartitionsCutOnlyNodes() {
        try (Simulation sim = Simulation.startWired(3, 3,
                node -> CoreDriver.drive(node, () -> new PingCore(node.id(), node.nodeIds(), new ArrayList<>())))) {
            sim.latency(Duration.ofMillis(10), Simulation.Latency.CONSTANT);
            sim.partition(List.of("n0"));
            CompletableFuture<Message> first = sim.request("n0", "{\"type\":\"ping\"}");
            CompletableFuture<Message> second = sim.request("n0", "{\"type\":\"ping\"}");
            sim.runFor(Duration.ofSeconds(5));
            assertThat(first).isNotDone();
            ObjectNode error = second.getNow(null).body();
            assertThat(error.path("code").asInt()).isEqualTo(11);
            CompletableFuture<Message> nonsense = sim.request("n1", "{\"type\":\"nonsense\"}");
            sim.runFor(Duration.ofMillis(1));
            assertThat(nonsense.getNow(null).body().path("code").asInt()).isEqualTo(10);
            sim.heal();
            sim.runFor(Duration.ofSeconds(1));
            assertThat(first.getNow(null).type()).isEqualTo("ping_ok");
        }
    }

    @Test
    void wholeSpringNodesRunInVirtualTime() {
        try (Simulation sim = Simulation.start("echo", 3, 11)) {
            CompletableFuture<Message> reply = sim.request("n2", "{\"type\":\"echo\",\"echo\":\"hi\"}");
            sim.runFor(Duration.ofMillis(1));
            assertThat(Wire.JSON.valueToTree(reply.getNow(null).body().get("echo")).asText()).isEqualTo("hi");
            assertThat(sim.time().millis()).isLessThan(VirtualTime.START_MILLIS + 10_000);
        }
    }

    /** A core that wants a tick "as soon as possible" may say so with any past time, Long.MIN_VALUE included. */
    @Test
    void aWakeLongInThePastIsATickAtOnceNotAnOverflow() {
        List<Long> ticks = new ArrayList<>();
        try (Simulation sim = Simulation.startWired(1, 3, node -> CoreDriver.drive(node, () -> new dev.glomers.node.Core() {
            private boolean due = true;

            @Override
            public void receive(Message message, long now, Effects out) {
                ticks.add(-now);
                due = true;
                out.reply(message, Body.of("poke_ok"));
            }

            @Override
            public void tick(long now, Effects out) {
                ticks.add(now);
                due = false;
            }

            @Override
            public long wakeAt() {
                return due ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
        }))) {
            sim.runFor(Duration.ofMillis(5));
            assertThat(ticks).as("the tick asked for at init").hasSize(1);
            CompletableFuture<Message> poke = sim.request("n0", "{\"type\":\"poke\"}");
            sim.runFor(Duration.ofMillis(5));
            assertThat(poke.getNow(null).type()).isEqualTo("poke_ok");
            assertThat(ticks).as("received at t, ticked at t").hasSize(3);
            assertThat(ticks.get(2)).isEqualTo(-ticks.get(1));
        }
    }
}
