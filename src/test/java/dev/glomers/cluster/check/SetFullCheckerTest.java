package dev.glomers.cluster.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.HistoriesAccess;
import dev.glomers.cluster.Op;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SetFullCheckerTest {

    private final HistoriesAccess h = new HistoriesAccess();

    private List<CheckResult> check() {
        return new SetFullChecker("broadcast").check(h.history());
    }

    @Test
    void aValueReadEverywhereAfterItsAckIsStableWithZeroLatency() {
        h.okOp(0, "broadcast", 1, 1, 0);
        h.okOp(1, "read", null, List.of(1), 10);
        CheckResult set = check().get(0);
        assertThat(set.verdict()).isEqualTo(Verdict.VALID);
        assertThat(set.details()).containsEntry("stable-count", 1)
                .containsEntry("stable-latencies", Map.of("0", 0L, "0.5", 0L, "0.95", 0L, "0.99", 0L, "1", 0L));
    }

    @Test
    void stableLatencyRunsFromTheAckToTheLastReadThatMissedTheValue() {
        h.okOp(0, "broadcast", 7, 7, 0); // acknowledged at 1 ms
        h.okOp(1, "read", null, List.of(), 21); // invoked at 21 ms, misses it
        h.okOp(2, "read", null, List.of(7), 50);
        CheckResult set = check().get(0);
        assertThat(set.verdict()).isEqualTo(Verdict.VALID);
        assertThat(set.details()).containsEntry("stale-count", 1);
        @SuppressWarnings("unchecked")
        Map<String, Long> latencies = (Map<String, Long>) set.details().get("stable-latencies");
        assertThat(latencies).containsEntry("0.5", 20L);
    }

    @Test
    void aReadConcurrentWithTheBroadcastMayMissIt() {
        Op add = h.invoke(0, "broadcast", 3, 0);
        Op read = h.invoke(1, "read", null, 1);
        h.ok(add, 3, 5);
        h.ok(read, List.of(), 6);
        h.okOp(1, "read", null, List.of(3), 20);
        CheckResult set = check().get(0);
        assertThat(set.verdict()).isEqualTo(Verdict.VALID);
        assertThat(set.details()).containsEntry("stale-count", 0);
    }

    @Test
    void anAcknowledgedValueMissingFromALaterReadIsLost() {
        h.okOp(0, "broadcast", 1, 1, 0);
        h.okOp(0, "broadcast", 2, 2, 2);
        h.okOp(1, "read", null, List.of(1, 2), 10);
        h.okOp(2, "read", null, List.of(1), 20);
        CheckResult set = check().get(0);
        assertThat(set.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(set.details()).containsEntry("lost-count", 1).containsEntry("lost", List.of("2"));
    }

    @Test
    void anIndeterminateBroadcastNeverSeenIsNotLost() {
        h.okOp(0, "broadcast", 1, 1, 0);
        h.info(h.invoke(0, "broadcast", 2, 2), 5002);
        h.okOp(1, "read", null, List.of(1), 6000);
        CheckResult set = check().get(0);
        assertThat(set.verdict()).isEqualTo(Verdict.VALID);
        assertThat(set.details()).containsEntry("never-read-count", 1);
    }

    @Test
    void nothingStableIsUnknown() {
        h.okOp(0, "broadcast", 1, 1, 0);
        assertThat(check().get(0).verdict()).isEqualTo(Verdict.UNKNOWN);
    }

    @Test
    void aValueNobodyBroadcastIsUnexpected() {
        h.okOp(0, "broadcast", 1, 1, 0);
        h.okOp(1, "read", null, List.of(1, 99), 10);
        CheckResult phantoms = check().get(1);
        assertThat(phantoms.name()).isEqualTo("no-unexpected-values");
        assertThat(phantoms.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(phantoms.details()).containsEntry("unexpected", List.of("99"));
    }

    @Test
    void failedReadsAreIgnored() {
        h.okOp(0, "broadcast", 1, 1, 0);
        h.okOp(1, "read", null, List.of(1), 10);
        h.fail(h.invoke(2, "read", null, 20), 21);
        assertThat(check().get(0).verdict()).isEqualTo(Verdict.VALID);
    }
}
