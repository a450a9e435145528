package dev.glomers.workload.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Body;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.workload.broadcast.BroadcastProperties.ClientAck;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The broadcast core alone, one input at a time, time given explicitly: the rules of the windows, the tree and the fallback. */
class BroadcastCoreTest {

    private static final List<String> STAR = List.of("n0", "n1", "n2", "n3");
    /** A multiple of every window length, so that windows are easy to read off. */
    static final long T = 1_700_000_400_000L - 1_700_000_400_000L % 3000;

    static final BroadcastProperties DEFAULTS = new BroadcastProperties(0, Duration.ofMillis(150), Duration.ofMillis(150),
            Duration.ofMillis(120), Duration.ofMillis(60), Duration.ofMillis(10), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(2), ClientAck.AFTER_WINDOW);

    static final Retry REDELIVERY = Retry.of("broadcast-redelivery", RetryConfig.custom()
            .maxAttempts(Integer.MAX_VALUE)
            .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(100), 2, Duration.ofSeconds(1)))
            .retryOnException(failure -> failure instanceof RpcError error && error.code() == 0)
            .failAfterMaxAttempts(false)
            .build());

    private record Sent(String dest, Gossip gossip) {
    }

    /** Records the effects a core asks for. */
    private static final class Recorder implements Effects {
        final List<Sent> sent = new ArrayList<>();
        final List<Message> answered = new ArrayList<>();

        @Override
        public void send(String dest, Body body) {
            sent.add(new Sent(dest, (Gossip) body));
        }

        @Override
        public void reply(Message request, Body body) {
            answered.add(request);
        }

        @Override
        public void fail(Message request, RpcError error) {
            throw error;
        }

        @Override
        public long request(String dest, Body body) {
            throw new AssertionError("broadcast sends no requests");
        }

        List<String> destinations() {
            return sent.stream().map(Sent::dest).toList();
        }

        void clear() {
            sent.clear();
            answered.clear();
        }
    }

    private final Recorder out = new Recorder();

    private static BroadcastCore core(String self, List<String> nodes, BroadcastProperties settings) {
        BroadcastCore core = new BroadcastCore(self, nodes, settings, REDELIVERY);
        core.start(T, new Recorder());
        return core;
    }

    private static Message broadcast(String node, long value) {
        ObjectNode body = Wire.JSON.createObjectNode().put("type", "broadcast").put("message", value).put("msg_id", value + 1);
        return new Message("c1", node, body);
    }

    private static Message gossip(String from, String to, Gossip gossip) {
        return new Message(from, to, Wire.tree(gossip));
    }

    private static Gossip uplink(long from, List<Long> values) {
        return new Gossip(from, values, 1, List.of(), 1, List.of(), 0, 0, 0, 0, 0, List.of());
    }

    /** Ticks the core whenever it asks, up to and including {@code until}. */
    private void runUntil(BroadcastCore core, long until) {
        while (core.wakeAt() <= until) {
            core.tick(core.wakeAt(), out);
        }
    }

    @Test
    void theTreeIsAStarAroundTheFirstNodeOrAFixedFanOut() {
        assertThat(Tree.of("n2", STAR, 0)).isEqualTo(new Tree("n0", "n0", List.of()));
        assertThat(Tree.of("n0", STAR, 0).children()).containsExactly("n1", "n2", "n3");
        List<String> seven = List.of("n0", "n1", "n2", "n3", "n4", "n5", "n6");
        assertThat(Tree.of("n1", seven, 2)).isEqualTo(new Tree("n0", "n0", List.of("n3", "n4")));
        assertThat(Tree.of("n5", seven, 2)).isEqualTo(new Tree("n0", "n2", List.of()));
        assertThat(Tree.of("n0", List.of("n0"), 0).children()).isEmpty();
    }

    @Test
    void aLeafSendsItsValuesToTheHubAtTheWindowAndAnswersTheClientThen() {
        BroadcastCore leaf = core("n1", STAR, DEFAULTS);
        assertThat(leaf.wakeAt()).as("idle: never woken").isEqualTo(Long.MAX_VALUE);
        leaf.receive(broadcast("n1", 7), T + 10, out);
        leaf.receive(broadcast("n1", 8), T + 20, out);
        assertThat(out.sent).isEmpty();
        assertThat(out.answered).isEmpty();
        assertThat(leaf.wakeAt()).isEqualTo(T + 150);
        runUntil(leaf, T + 150);
        assertThat(out.sent).singleElement().satisfies(sent -> {
            assertThat(sent.dest()).isEqualTo("n0");
            assertThat(sent.gossip().up()).containsExactly(7L, 8L);
        });
        assertThat(out.answered).hasSize(2);
        assertThat(leaf.values()).containsExactly(7L, 8L);
    }

    @Test
    void theHubClosesItsWindowAtThePhaseOrLingersWhileUplinksStillArrive() {
        BroadcastCore hub = core("n0", STAR, DEFAULTS);
        hub.receive(gossip("n1", "n0", uplink(1, List.of(1L))), T + 100, out);
        assertThat(hub.wakeAt()).as("the phase").isEqualTo(T + 120);
        hub.receive(gossip("n2", "n0", uplink(1, List.of(2L))), T + 115, out);
        assertThat(hub.wakeAt()).as("quiet for 10 ms after the last uplink").isEqualTo(T + 125);
        runUntil(hub, T + 125);
        assertThat(out.destinations()).containsExactly("n1", "n2", "n3");
        assertThat(out.sent).allSatisfy(sent -> assertThat(sent.gossip().rel()).containsExactly(1L, 2L));
        // The first relay carries the acknowledgement of each leaf's uplink.
        assertThat(out.sent.get(0).gossip().upAck()).isEqualTo(1);

        // A straggler after the close waits for the next window; uplinks arriving all the time keep it
        // open only up to the linger limit.
        out.clear();
        hub.receive(gossip("n3", "n0", uplink(1, List.of(3L))), T + 130, out);
        assertThat(hub.wakeAt()).isEqualTo(T + 150 + 120);
        for (long at = T + 150 + 100; at < T + 150 + 200; at += 5) {
            runUntil(hub, at);
            hub.receive(gossip("n1", "n0", uplink(2 + (at - T - 250) / 5, List.of(at))), at, out);
        }
        runUntil(hub, T + 150 + 200);
        assertThat(out.sent).hasSize(3).allSatisfy(sent -> assertThat(sent.dest()).isIn("n1", "n2", "n3"));
        assertThat(out.sent.get(0).gossip().rel()).startsWith(3L).endsWith(T + 150 + 175);
    }

    @Test
    void aLeafWhoseHubMissedItsDeadlineFansItsValuesOutItselfUntilTheHubAnswers() {
        BroadcastCore leaf = core("n1", STAR, DEFAULTS);
        leaf.receive(broadcast("n1", 5), T + 10, out);
        runUntil(leaf, T + 150);
        assertThat(out.destinations()).containsExactly("n0");
        out.clear();
        // No acknowledgement within 2 s: the hub is suspect, redelivered to 100 ms later, and the value
        // goes to every peer at the next fallback window (a multiple of 500 ms).
        runUntil(leaf, T + 2150 + 100);
        assertThat(out.destinations()).containsExactly("n0");
        runUntil(leaf, T + 2500);
        assertThat(out.destinations()).containsExactly("n0", "n2", "n3");
        assertThat(out.sent.get(1).gossip().dir()).containsExactly(5L);
        out.clear();
        // New values go both ways while the hub is suspect...
        leaf.receive(broadcast("n1", 6), T + 2600, out);
        runUntil(leaf, T + 3000);
        assertThat(out.sent).filteredOn(sent -> !sent.dest().equals("n0"))
                .extracting(sent -> sent.gossip().dir()).containsOnly(List.of(6L));
        // ... until it acknowledges what it got: then values go only up again (6 too, which the hub
        // never got that way), and no more fan-out.
        out.clear();
        leaf.receive(gossip("n0", "n1", new Gossip(1, List.of(), 1, List.of(), 1, List.of(), 1, 0, 1, 0, 0, List.of())), T + 3010, out);
        leaf.receive(broadcast("n1", 7), T + 3020, out);
        runUntil(leaf, T + 4000);
        assertThat(out.destinations()).containsExactly("n0");
        assertThat(out.sent.get(0).gossip().up()).containsExactly(6L, 7L);
    }

    @Test
    void anInnerNodePassesItsParentsRelayOnAtOnceItsOwnValuesIncluded() {
        List<String> seven = List.of("n0", "n1", "n2", "n3", "n4", "n5", "n6");
        BroadcastProperties tree = new BroadcastProperties(2, DEFAULTS.uplinkWindow(), DEFAULTS.relayWindow(), DEFAULTS.relayPhase(),
                DEFAULTS.relayLinger(), DEFAULTS.relayQuiet(), DEFAULTS.fallbackWindow(), DEFAULTS.ackDelay(), DEFAULTS.ackTimeout(),
                DEFAULTS.clientAck());
        BroadcastCore inner = core("n1", seven, tree);
        inner.receive(broadcast("n1", 9), T + 10, out);
        runUntil(inner, T + 150);
        out.clear();
        inner.receive(gossip("n0", "n1", new Gossip(1, List.of(), 1, List.of(4L, 9L), 1, List.of(), 1, 0, 0, 0, 0, List.of())), T + 230, out);
        assertThat(out.destinations()).containsExactly("n3", "n4");
        assertThat(out.sent).allSatisfy(sent -> assertThat(sent.gossip().rel()).containsExactly(4L, 9L));
        assertThat(inner.values()).containsExactly(9L, 4L);
    }
}
