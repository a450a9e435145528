package dev.glomers.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.node.Body;
import dev.glomers.node.Core;
import dev.glomers.node.CoreDriver;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The driver's persist-before-send, in virtual time: held messages, their order, group commit. */
class DurableDriverTest {

    /** "write" persists then answers and tells n1; "hello" only answers; "refuse" persists then throws. */
    static final class WritingCore implements Core {
        @Override
        public void receive(Message message, long now, Effects out) {
            switch (message.type()) {
                case "write" -> {
                    out.persist(new byte[] {1, 2, 3});
                    out.send("n1", Body.of("written"));
                    out.reply(message, Body.of("write_ok"));
                }
                case "hello" -> out.reply(message, Body.of("hello_ok"));
                case "refuse" -> {
                    out.persist(new byte[] {4});
                    throw RpcError.unavailable("refused after a write");
                }
                case "written" -> { }
                default -> throw RpcError.notSupported(message.type());
            }
        }
    }

    private record Seen(long atNanos, String line) {
    }

    private final List<CoreDriver> drivers = new ArrayList<>();

    private Simulation start(long seed) {
        Simulation sim = Simulation.startWiredDurable(2, seed, node -> drivers.add(CoreDriver.drive(node, WritingCore::new)));
        sim.syncLatency(Duration.ofMillis(10));
        return sim;
    }

    private static List<Seen> watch(Simulation sim) {
        List<Seen> seen = new ArrayList<>();
        sim.observe(message -> seen.add(new Seen(sim.time().elapsedNanos(), message.src() + ">" + (message.dest().startsWith("c") ? "client" : message.dest()) + " " + message.type())));
        return seen;
    }

    @Test
    void aStepThatPersistedSendsNothingBeforeTheSyncAndLaterStepsWaitInLine() {
        try (Simulation sim = start(1)) {
            List<Seen> seen = watch(sim);
            long start = sim.time().elapsedNanos();
            CompletableFuture<Message> write = sim.request("n0", "{\"type\":\"write\"}");
            sim.runFor(Duration.ofMillis(1));
            CompletableFuture<Message> hello = sim.request("n0", "{\"type\":\"hello\"}");
            sim.runFor(Duration.ofMillis(4)); // a sync takes at least 5 ms (mean 10, drawn in [5, 15])
            assertThat(write).isNotDone();
            assertThat(hello).isNotDone(); // asked after the write: it waits its turn although it wrote nothing
            assertThat(seen).isEmpty();
            sim.runFor(Duration.ofMillis(20));
            assertThat(write.join().type()).isEqualTo("write_ok");
            assertThat(hello.join().type()).isEqualTo("hello_ok");
            assertThat(seen).extracting(Seen::line).containsExactly("n0>n1 written", "n0>client write_ok", "n0>client hello_ok");
            assertThat(seen).allSatisfy(message -> assertThat(message.atNanos() - start).isGreaterThanOrEqualTo(5_000_000));
            // with nothing unsynced, an answer goes out at once
            CompletableFuture<Message> later = sim.request("n0", "{\"type\":\"hello\"}");
            sim.runFor(Duration.ofNanos(1));
            assertThat(later).isDone();
        }
    }

    @Test
    void oneSyncServesEveryStepWaitingWhenItStartsAndWritesDuringItShareTheNext() {
        try (Simulation sim = start(2)) {
            long before = sim.disk("n0").fileSyncs();
            List<CompletableFuture<Message>> first = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                first.add(sim.request("n0", "{\"type\":\"write\"}"));
            }
            sim.runFor(Duration.ofMillis(1)); // five steps, then one sync for all five, still running (>= 5 ms)
            List<CompletableFuture<Message>> second = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                second.add(sim.request("n0", "{\"type\":\"write\"}"));
            }
            sim.runFor(Duration.ofMillis(100));
            assertThat(first).allSatisfy(reply -> assertThat(reply.join().type()).isEqualTo("write_ok"));
            assertThat(second).allSatisfy(reply -> assertThat(reply.join().type()).isEqualTo("write_ok"));
            // The five of that moment share the first sync (BurstCommitTest); the five written while it ran wait
            // for it and then share the second. Ten writes, two fsyncs.
            assertThat(sim.disk("n0").fileSyncs() - before).isEqualTo(2);
            assertThat(drivers.get(0).syncs()).isEqualTo(2);
        }
    }

    @Test
    void anErrorAnswerAfterAWriteWaitsForTheSyncToo() {
        try (Simulation sim = start(3)) {
            CompletableFuture<Message> refused = sim.request("n0", "{\"type\":\"refuse\"}");
            sim.runFor(Duration.ofMillis(4));
            assertThat(refused).isNotDone();
            sim.runFor(Duration.ofMillis(20));
            assertThat(refused.join().body().path("code").asInt()).isEqualTo(11);
        }
    }

    @Test
    void aCrashBeforeTheSyncLosesTheAnswerAndTheRestartedNodeServes() {
        try (Simulation sim = start(4)) {
            List<Seen> seen = watch(sim);
            CompletableFuture<Message> write = sim.request("n0", "{\"type\":\"write\"}");
            sim.runFor(Duration.ofMillis(2));
            sim.crash("n0");
            sim.runFor(Duration.ofMillis(50));
            assertThat(write).isNotDone();
            assertThat(seen).isEmpty(); // nothing left the node: no answer, no message to n1
            assertThat(sim.request("n0", "{\"type\":\"hello\"}")).isNotDone(); // a dead node reads nothing
            CompletableFuture<Message> init = sim.restart("n0");
            sim.runFor(Duration.ofMillis(1));
            assertThat(init.join().type()).isEqualTo("init_ok");
            CompletableFuture<Message> hello = sim.request("n0", "{\"type\":\"hello\"}");
            sim.runFor(Duration.ofMillis(1));
            assertThat(hello.join().type()).isEqualTo("hello_ok");
        }
    }
}
