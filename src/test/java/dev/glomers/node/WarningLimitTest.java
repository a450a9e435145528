package dev.glomers.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.node.WarningLimit.Verdict;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The rate limit of repeated warnings, on a clock the test moves. */
class WarningLimitTest {

    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final WarningLimit limit = new WarningLimit(3, Duration.ofSeconds(1), now::get);

    @Test
    void theFirstFewAreLoggedInFullThenOnlyCountedWithOneReportScheduled() {
        assertThat(limit.admit()).isEqualTo(Verdict.LOG);
        assertThat(limit.admit()).isEqualTo(Verdict.LOG);
        assertThat(limit.admit()).isEqualTo(Verdict.LOG);
        assertThat(limit.admit()).isEqualTo(Verdict.COUNT_AND_SCHEDULE_REPORT);
        for (int i = 0; i < 19_411; i++) {
            assertThat(limit.admit()).isEqualTo(Verdict.COUNT);
        }
        assertThat(limit.takeCount()).isEqualTo(19_412);
    }

    @Test
    void aFloodGoingOnIsReportedOncePerPeriodAndNeverInFullAgain() {
        for (int i = 0; i < 10; i++) {
            limit.admit();
        }
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(limit.takeCount()).isEqualTo(7);
        now.addAndGet(Duration.ofMillis(500).toNanos());
        assertThat(limit.admit()).as("still the same burst: a report is due already").isEqualTo(Verdict.COUNT);
        now.addAndGet(Duration.ofMillis(500).toNanos());
        assertThat(limit.takeCount()).isEqualTo(1);
        assertThat(limit.takeCount()).as("a period without one: the burst is over").isZero();
    }

    @Test
    void afterAQuietPeriodANewBurstStartsInFull() {
        for (int i = 0; i < 5; i++) {
            limit.admit();
        }
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(limit.takeCount()).isEqualTo(2);
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(limit.takeCount()).isZero();
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(limit.admit()).isEqualTo(Verdict.LOG);
    }

    @Test
    void warningsSpacedMoreThanAPeriodApartAreAllLoggedInFull() {
        for (int i = 0; i < 10; i++) {
            assertThat(limit.admit()).isEqualTo(Verdict.LOG);
            now.addAndGet(Duration.ofMillis(1001).toNanos());
        }
    }
}
