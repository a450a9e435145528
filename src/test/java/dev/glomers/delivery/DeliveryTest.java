package dev.glomers.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The delivery primitive alone: two or three nodes whose parcels the test carries by hand, time given explicitly. */
class DeliveryTest {

    private static final Delivery.Timing TIMING = new Delivery.Timing(1000, 2000, Integer.MAX_VALUE);

    /** Like application.yml's broadcast-redelivery: until acknowledged, 100 ms doubling up to 1 s. */
    static Retry policy(int maxAttempts) {
        return Retry.of("test", RetryConfig.custom()
                .maxAttempts(maxAttempts <= 0 ? Integer.MAX_VALUE : maxAttempts)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(100), 2, Duration.ofSeconds(1)))
                .retryOnException(failure -> failure instanceof RpcError error && error.code() == 0)
                .failAfterMaxAttempts(false)
                .build());
    }

    private static Delivery<String> node(String self, List<String> peers, Delivery.Timing timing, int maxAttempts) {
        // One log, read by every peer.
        return new Delivery<>(peers, List.of(peers), timing, policy(maxAttempts));
    }

    private record Sent(long at, String peer, Parcel<String> parcel) {
    }

    /** Ticks {@code delivery} at every millisecond of [from, to], collecting what it sends. */
    private static List<Sent> tickThrough(Delivery<String> delivery, long from, long to) {
        List<Sent> sent = new ArrayList<>();
        for (long now = from; now <= to; now++) {
            if (delivery.wakeAt() <= now) {
                long at = now;
                delivery.tick(now, (peer, parcel) -> sent.add(new Sent(at, peer, parcel)));
            }
        }
        return sent;
    }

    @Test
    void entriesArriveInOrderOnceAndTheCumulativeAckRidesBack() {
        Delivery<String> a = node("a", List.of("b"), TIMING, 0);
        Delivery<String> b = node("b", List.of("a"), TIMING, 0);
        a.append(0, "x");
        a.append(0, "y");
        Parcel<String> first = a.next("b", 0);
        a.append(0, "z");
        Parcel<String> second = a.next("b", 10);
        assertThat(second.slice(0).from()).isEqualTo(3);

        // Reordered and duplicated: still applied in order, each once.
        assertThat(b.receive("a", second, 100).fresh(0)).isEmpty();
        assertThat(b.receive("a", first, 110).fresh(0)).containsExactly("x", "y", "z");
        assertThat(b.receive("a", first, 120).fresh(0)).isEmpty();
        assertThat(b.held("a", 0)).isEqualTo(3);

        // b's next message to a, whatever it carries, acknowledges all three; a then drops them.
        b.append(0, "w");
        Parcel<String> back = b.next("a", 150);
        assertThat(back.ack(0)).isEqualTo(3);
        assertThat(a.retained()).isEqualTo(3);
        Receipt<String> receipt = a.receive("b", back, 250);
        assertThat(receipt.ackProgress()).isTrue();
        assertThat(receipt.fresh(0)).containsExactly("w");
        assertThat(a.retained()).isZero();
        assertThat(a.awaitsAck("b")).isFalse();
        // b owes nothing any more (its message carried the ack); a owes b one for "w".
        assertThat(b.wakeAt()).isEqualTo(150 + 2000); // only b's own deadline for "w"
        assertThat(a.wakeAt()).isEqualTo(250 + 1000);
    }

    @Test
    void aBareAcknowledgementGoesOutOnlyWhenOneIsOwedForTheAckDelay() {
        Delivery<String> a = node("a", List.of("b"), TIMING, 0);
        Delivery<String> b = node("b", List.of("a"), TIMING, 0);
        a.append(0, "x");
        b.receive("a", a.next("b", 0), 100);
        assertThat(tickThrough(b, 100, 1099)).isEmpty();
        List<Sent> bare = tickThrough(b, 1100, 5000);
        assertThat(bare).singleElement().satisfies(sent -> {
            assertThat(sent.at()).isEqualTo(1100);
            assertThat(sent.parcel().carriesEntries()).isFalse();
            assertThat(sent.parcel().ack(0)).isEqualTo(1);
        });

        // Owed again, but acknowledgements put on another message (a reply) pay it.
        a.append(0, "p");
        b.receive("a", a.next("b", 2000), 2100);
        assertThat(b.acknowledgements("a")).containsExactly(2L);
        assertThat(tickThrough(b, 2100, 4000)).isEmpty();

        // Owed again, but a message going that way meanwhile carries it: no bare acknowledgement.
        a.append(0, "y");
        b.receive("a", a.next("b", 5000), 5100);
        b.append(0, "q");
        b.next("a", 5500);
        assertThat(tickThrough(b, 5100, 7000)).isEmpty();
    }

    @Test
    void aMissedDeadlineMakesThePeerSuspectAndRedeliveryIsPacedByThePolicyUntilAcknowledged() {
        Delivery<String> a = node("a", List.of("b"), TIMING, 0);
        Delivery<String> b = node("b", List.of("a"), TIMING, 0);
        a.append(0, "x");
        a.next("b", 0); // lost
        assertThat(a.isSuspect("b")).isFalse();
        List<Sent> sent = tickThrough(a, 0, 2000);
        assertThat(sent).isEmpty();
        assertThat(a.isSuspect("b")).isTrue(); // missed the deadline at 2000

        // Waits of 100, 200, 400 ms after each missed 2 s deadline: resends at 2100, 4300, 6700, 9500.
        a.append(0, "y"); // appended while suspect: goes along with the redelivery
        sent = tickThrough(a, 2001, 9500);
        assertThat(sent).extracting(Sent::at).containsExactly(2100L, 4300L, 6700L, 9500L);
        assertThat(sent).allSatisfy(resend -> assertThat(resend.parcel().slice(0).entries()).containsExactly("x", "y"));

        // The last one arrives: b applies it and acknowledges; a stops suspecting and goes quiet.
        assertThat(b.receive("a", sent.get(3).parcel(), 9600).fresh(0)).containsExactly("x", "y");
        Parcel<String> ack = b.next("a", 9600);
        assertThat(a.receive("b", ack, 9700).ackProgress()).isTrue();
        assertThat(a.isSuspect("b")).isFalse();
        assertThat(a.wakeAt()).isEqualTo(Long.MAX_VALUE);

        // The chain starts over: the next missed deadline waits 100 ms again.
        a.append(0, "z");
        a.next("b", 10_000);
        assertThat(tickThrough(a, 10_000, 12_100)).extracting(Sent::at).containsExactly(12_100L);
    }

    @Test
    void anAcknowledgementThatArrivesDuringTheWaitCancelsTheRedelivery() {
        Delivery<String> a = node("a", List.of("b"), TIMING, 0);
        Delivery<String> b = node("b", List.of("a"), TIMING, 0);
        a.append(0, "x");
        b.receive("a", a.next("b", 0), 1990);
        tickThrough(a, 0, 2050); // deadline missed at 2000, redelivery due at 2100
        assertThat(a.isSuspect("b")).isTrue();
        a.receive("b", b.next("a", 2000), 2060);
        assertThat(a.isSuspect("b")).isFalse();
        assertThat(tickThrough(a, 2061, 10_000)).isEmpty();
    }

    @Test
    void anExhaustedPolicyNeverDropsThePeerItTriesAgainAfterTheAckTimeout() {
        Delivery<String> a = node("a", List.of("b"), TIMING, 2); // gives up after the second failure
        a.append(0, "x");
        a.next("b", 0);
        // Deadline 2000 -> wait 100 -> resend 2100; deadline 4100 -> policy exhausted -> 2000 later; then a fresh chain.
        assertThat(tickThrough(a, 0, 8300)).extracting(Sent::at).containsExactly(2100L, 6100L, 8200L);
    }

    @Test
    void acknowledgementsBeyondWhatWasSentAreIgnored() {
        Delivery<String> a = node("a", List.of("b"), TIMING, 0);
        a.append(0, "x");
        a.append(0, "y");
        a.next("b", 0);
        a.append(0, "z"); // never sent
        Receipt<String> bogus = a.receive("b", new Parcel<>(List.of(Slice.empty(1)), List.of(99L)), 10);
        assertThat(bogus.ackProgress()).isTrue();
        assertThat(a.acked("b", 0)).isEqualTo(2);
        assertThat(a.hasUnsent("b")).isTrue();
        assertThat(a.after(0, 0)).containsExactly("z");
    }

    @Test
    void aLogsPrefixIsDroppedOnlyOnceEveryReaderHoldsIt() {
        Delivery<String> a = new Delivery<>(List.of("b", "c"), List.of(List.of("b", "c"), List.of("c")), TIMING, policy(0));
        a.append(0, "both");
        a.append(1, "c only");
        assertThat(a.hasUnsent("b")).isTrue();
        Parcel<String> toB = a.next("b", 0);
        assertThat(toB.slice(0).entries()).containsExactly("both");
        assertThat(toB.slice(1).entries()).isEmpty();
        Parcel<String> toC = a.next("c", 0);
        assertThat(toC.slice(1).entries()).containsExactly("c only");
        a.receive("b", new Parcel<>(List.of(Slice.empty(1), Slice.empty(1)), List.of(1L, 0L)), 100);
        assertThat(a.retained()).isEqualTo(2);
        a.receive("c", new Parcel<>(List.of(Slice.empty(1), Slice.empty(1)), List.of(1L, 1L)), 100);
        assertThat(a.retained()).isZero();
        assertThat(a.wakeAt()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aParcelHoldsAtMostTheLimitAndARedeliveryGoesBackToWhatThePeerHolds() {
        Delivery<String> a = node("a", List.of("b"), new Delivery.Timing(1000, 2000, 2), 0);
        Delivery<String> b = node("b", List.of("a"), new Delivery.Timing(1000, 2000, 2), 0);
        for (String entry : List.of("1", "2", "3", "4", "5")) {
            a.append(0, entry);
        }
        Parcel<String> first = a.next("b", 0);
        assertThat(first.slice(0).entries()).containsExactly("1", "2");
        a.next("b", 0); // 3, 4: lost
        assertThat(a.hasUnsent("b")).isTrue();
        b.receive("a", first, 100);
        a.receive("b", b.next("a", 100), 200); // acknowledges 1, 2; 3 and 4 keep their deadline
        List<Sent> resent = tickThrough(a, 200, 2300);
        assertThat(resent).singleElement().satisfies(sent -> assertThat(sent.parcel().slice(0).entries()).containsExactly("3", "4"));
        // 5 counts as never sent again; the caller's next batch carries it.
        assertThat(a.next("b", 2300).slice(0).entries()).containsExactly("5");
    }

    @Test
    void aParcelOnTheWireIsItsSlicesAndAcknowledgementsOnly() throws Exception {
        Parcel<String> parcel = new Parcel<>(List.of(new Slice<>(3, List.of("x")), Slice.empty(1)), List.of(2L, 0L));
        String json = Wire.JSON.writeValueAsString(parcel);
        // Between nodes that never restart the incarnations and floors are not written at all.
        assertThat(json).isEqualTo("{\"slices\":[{\"from\":3,\"entries\":[\"x\"]},{\"from\":1,\"entries\":[]}],\"acks\":[2,0]}");

        Parcel<String> restarted = new Parcel<>(parcel.slices(), parcel.acks(), 3, 2, List.of(5L, 0L));
        String full = Wire.JSON.writeValueAsString(restarted);
        assertThat(full).endsWith("\"acks\":[2,0],\"incarnation\":3,\"peer_incarnation\":2,\"floors\":[5,0]}");
        assertThat(Wire.JSON.readValue(full, Parcel.class)).isEqualTo(restarted);
    }

    @Test
    void settingsThatWouldResendHealthyBatchesAreRefused() {
        assertThatThrownBy(() -> new Delivery.Timing(1000, 1000, 10)).hasMessageContaining("must exceed");
        assertThatThrownBy(() -> new Delivery<>(List.of("b"), List.of(List.of("c")), TIMING, policy(0)))
                .hasMessageContaining("not all peers");
    }
}
