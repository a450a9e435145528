package dev.glomers.workload.linkv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.workload.linkv.CasRegisterChecker.Kind;
import dev.glomers.workload.linkv.CasRegisterChecker.Op;
import dev.glomers.workload.linkv.CasRegisterChecker.Outcome;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker the simulation tests rely on: it must accept what is linearizable and reject what is not. */
class CasRegisterCheckerTest {

    private static Op write(int value, long invoke, long complete) {
        return new Op(Kind.WRITE, value, null, Outcome.OK, invoke, complete);
    }

    private static Op read(Integer value, long invoke, long complete) {
        return new Op(Kind.READ, value, null, value == null ? Outcome.MISSING : Outcome.OK, invoke, complete);
    }

    private static Op cas(int from, int to, Outcome outcome, long invoke, long complete) {
        return new Op(Kind.CAS, to, from, outcome, invoke, outcome == Outcome.INFO ? Long.MAX_VALUE : complete);
    }

    @Test
    void sequentialHistoriesFollowTheRegister() {
        assertThat(CasRegisterChecker.linearizable(List.of(read(null, 1, 2), write(1, 3, 4), read(1, 5, 6),
                cas(1, 2, Outcome.OK, 7, 8), cas(1, 3, Outcome.MISMATCH, 9, 10), read(2, 11, 12)))).isTrue();
        assertThat(CasRegisterChecker.linearizable(List.of(write(1, 1, 2), read(2, 3, 4)))).isFalse();
        assertThat(CasRegisterChecker.linearizable(List.of(write(1, 1, 2), read(null, 3, 4)))).isFalse();
        assertThat(CasRegisterChecker.linearizable(List.of(write(1, 1, 2), cas(1, 2, Outcome.MISMATCH, 3, 4)))).isFalse();
        assertThat(CasRegisterChecker.linearizable(List.of(cas(1, 2, Outcome.MISSING, 1, 2)))).isTrue();
    }

    @Test
    void concurrentCallsMayTakeEffectInEitherOrder() {
        // write 1 and write 2 overlap; reads after both may see the one that went last, but both must agree.
        assertThat(CasRegisterChecker.linearizable(List.of(write(1, 1, 4), write(2, 2, 3), read(1, 5, 6), read(1, 7, 8)))).isTrue();
        assertThat(CasRegisterChecker.linearizable(List.of(write(1, 1, 4), write(2, 2, 3), read(2, 5, 6), read(2, 7, 8)))).isTrue();
        assertThat(CasRegisterChecker.linearizable(List.of(write(1, 1, 4), write(2, 2, 3), read(2, 5, 6), read(1, 7, 8)))).isFalse();
    }

    @Test
    void aStaleReadAfterACompletedWriteIsRejected() {
        // The follower-serves-its-own-state bug: write 2 completed before the read began, the read saw 1.
        assertThat(CasRegisterChecker.linearizable(List.of(write(1, 1, 2), write(2, 3, 4), read(1, 5, 6)))).isFalse();
    }

    @Test
    void anIndeterminateCallMayTakeEffectLateOrNever() {
        // cas 1->3 never answered: a read may see 3 any time later, or never.
        assertThat(CasRegisterChecker.linearizable(List.of(write(1, 1, 2), cas(1, 3, Outcome.INFO, 3, 0), read(1, 5, 6), read(3, 20, 21)))).isTrue();
        assertThat(CasRegisterChecker.linearizable(List.of(write(1, 1, 2), cas(1, 3, Outcome.INFO, 3, 0), read(1, 5, 6)))).isTrue();
        // ... but not before it was invoked, and not twice.
        assertThat(CasRegisterChecker.linearizable(List.of(write(1, 1, 2), read(3, 3, 4), cas(1, 3, Outcome.INFO, 5, 0)))).isFalse();
        assertThat(CasRegisterChecker.linearizable(List.of(write(1, 1, 2), cas(1, 3, Outcome.INFO, 3, 0), read(3, 5, 6),
                write(1, 7, 8), read(3, 9, 10)))).isFalse();
    }
}
