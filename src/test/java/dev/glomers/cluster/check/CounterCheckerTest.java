package dev.glomers.cluster.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.HistoriesAccess;
import dev.glomers.cluster.check.CounterChecker.Interval;
import java.util.List;
import org.junit.jupiter.api.Test;

class CounterCheckerTest {

    private final HistoriesAccess h = new HistoriesAccess();

    @Test
    void acceptableValuesAreTheDefiniteSumPlusAnySubsetOfIndeterminateDeltas() {
        assertThat(CounterChecker.acceptable(10, List.of(3L, -2L)))
                .containsExactly(new Interval(8, 8), new Interval(10, 11), new Interval(13, 13));
        assertThat(CounterChecker.acceptable(0, List.of(1L, 1L, 1L))).containsExactly(new Interval(0, 3));
        assertThat(CounterChecker.acceptable(5, List.of())).containsExactly(new Interval(5, 5));
    }

    @Test
    void finalReadsMustEqualTheSumOfAcknowledgedAdds() {
        h.okOp(0, "add", 1, 1, 0);
        h.okOp(1, "add", 2, 2, 1);
        h.fail(h.invoke(2, "add", 100, 2), 3); // definitely did not happen
        h.okOp(2, "read", null, 1000, 4); // intermediate reads are not checked, as in the workbench
        h.ok(h.invokeFinal(0, "read", 10), 3, 11);
        h.ok(h.invokeFinal(1, "read", 10), 3, 11);
        assertThat(check().verdict()).isEqualTo(Verdict.VALID);
    }

    @Test
    void aStaleFinalReadIsInvalid() {
        h.okOp(0, "add", 1, 1, 0);
        h.okOp(1, "add", 2, 2, 1);
        h.ok(h.invokeFinal(0, "read", 10), 3, 11);
        h.ok(h.invokeFinal(1, "read", 10), 1, 11);
        CheckResult result = check();
        assertThat(result.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(result.summary()).contains("n1 read 1");
    }

    @Test
    void indeterminateAddsMayOrMayNotCount() {
        h.okOp(0, "add", 4, 4, 0);
        h.info(h.invoke(1, "add", 3, 1), 5001);
        h.ok(h.invokeFinal(0, "read", 6000), 4, 6001);
        h.ok(h.invokeFinal(1, "read", 6000), 7, 6001);
        assertThat(check().verdict()).isEqualTo(Verdict.VALID);

        h.ok(h.invokeFinal(2, "read", 6000), 5, 6001);
        assertThat(check().verdict()).isEqualTo(Verdict.INVALID);
    }

    private CheckResult check() {
        return new CounterChecker().check(h.history());
    }
}
