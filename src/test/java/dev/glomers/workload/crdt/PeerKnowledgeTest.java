package dev.glomers.workload.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerKnowledgeTest {

    /** Two nodes' bookkeeping and a wire that may lose messages; versions stand in for whole states. */
    private static final class Pair {
        final PeerKnowledge a = new PeerKnowledge(List.of("b"), 2);
        final PeerKnowledge b = new PeerKnowledge(List.of("a"), 2);
        final Map<String, Long> stateA = new HashMap<>();
        final Map<String, Long> stateB = new HashMap<>();
        int sent;
        long ticks;

        /** One tick on both sides; returns how many messages went out. */
        int tick(boolean deliverAtoB, boolean deliverBtoA) {
            int before = sent;
            ticks++;
            a.advanceTo(ticks);
            b.advanceTo(ticks);
            Message fromA = send(a, "b", stateA);
            Message fromB = send(b, "a", stateB);
            if (fromA != null && deliverAtoB) {
                VersionVector.mergeInto(stateB, fromA.versions);
                b.received("a", fromA.versions, fromA.believed);
            }
            if (fromB != null && deliverBtoA) {
                VersionVector.mergeInto(stateA, fromB.versions);
                a.received("b", fromB.versions, fromB.believed);
            }
            return sent - before;
        }

        private Message send(PeerKnowledge from, String to, Map<String, Long> state) {
            if (!from.shouldSend(to, state)) {
                return null;
            }
            Message message = new Message(Map.copyOf(state), Map.copyOf(from.has(to)));
            from.sent(to, state);
            sent++;
            return message;
        }
    }

    private record Message(Map<String, Long> versions, Map<String, Long> believed) {
    }

    @Test
    void oneUpdateCostsOneMessageAndOneAnswerThenBothSidesFallSilent() {
        Pair pair = new Pair();
        pair.stateA.put("a", 1L);
        assertThat(pair.tick(true, true)).isEqualTo(1);   // a -> b with the update
        assertThat(pair.tick(true, true)).isEqualTo(1);   // b -> a: the answer
        assertThat(pair.stateB).isEqualTo(pair.stateA);
        for (int i = 0; i < 10; i++) {
            assertThat(pair.tick(true, true)).isZero();
        }
    }

    @Test
    void crossingUpdatesNeedOneMoreExchangeToConfirmThenSilence() {
        Pair pair = new Pair();
        pair.stateA.put("a", 1L);
        pair.stateB.put("b", 1L);
        assertThat(pair.tick(true, true)).isEqualTo(2);
        assertThat(pair.stateA).isEqualTo(pair.stateB);
        // Each message left before the other arrived, so neither side knows the other has its update yet.
        assertThat(pair.tick(true, true)).isEqualTo(2);
        for (int i = 0; i < 10; i++) {
            assertThat(pair.tick(true, true)).isZero();
        }
    }

    @Test
    void aPartitionDelaysButNeverLosesAnUpdateAndRepeatsBackOff() {
        Pair pair = new Pair();
        pair.stateA.put("a", 3L);
        int sentWhileCut = 0;
        for (int i = 0; i < 40; i++) {
            if (i == 20) {
                pair.stateA.put("a", 4L); // news while cut off does not undo the back-off
            }
            sentWhileCut += pair.tick(false, false);
        }
        // Ticks 1, 3, 5 (every resendTicks), then waits of 4 and 8 ticks: 9, 17, 25, 33.
        assertThat(sentWhileCut).isEqualTo(7);
        assertThat(pair.stateB).isEmpty();
        for (int i = 0; i < 10; i++) {
            pair.tick(true, true);
        }
        assertThat(pair.stateB).as("at most 8 ticks after healing").isEqualTo(pair.stateA);
        for (int i = 0; i < 10; i++) {
            assertThat(pair.tick(true, true)).isZero();
        }
    }

    @Test
    void aLostAnswerIsAnsweredAgainWhenTheSenderRepeats() {
        Pair pair = new Pair();
        pair.stateA.put("a", 1L);
        pair.tick(true, true);            // a -> b arrives
        pair.tick(true, false);           // b's answer is lost
        for (int i = 0; i < 6; i++) {
            pair.tick(true, true);
        }
        assertThat(pair.a.has("b")).isEqualTo(Map.of("a", 1L));
        assertThat(pair.tick(true, true)).isZero();
    }

    @Test
    void versionVectorOrder() {
        assertThat(VersionVector.dominatedBy(Map.of(), Map.of("a", 1L))).isTrue();
        assertThat(VersionVector.dominatedBy(Map.of("a", 1L), Map.of())).isFalse();
        assertThat(VersionVector.dominatedBy(Map.of("a", 1L, "b", 2L), Map.of("a", 2L, "b", 2L))).isTrue();
        assertThat(VersionVector.dominatedBy(Map.of("a", 1L, "b", 3L), Map.of("a", 2L, "b", 2L))).isFalse();
    }
}
