package dev.glomers.node;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Keeps one kind of warning from turning a flood of input into a flood of log lines: the first
 * {@code inFull} of a burst are logged in full, the rest only counted, and the count is reported
 * once per period ("ignored 19,412 more ..."). A period without any such warning ends the burst.
 * Thread-safe; time comes from the clock it is given, so the rules are tested without waiting.
 */
final class WarningLimit {

    private final int inFull;
    private final long periodNanos;
    private final LongSupplier clock;
    private int fullLeft;
    private long suppressed;
    private long lastWarning;
    private boolean reportDue;

    WarningLimit(int inFull, Duration period, LongSupplier clock) {
        this.inFull = inFull;
        this.periodNanos = period.toNanos();
        this.clock = clock;
        this.fullLeft = inFull;
        this.lastWarning = clock.getAsLong() - periodNanos - 1;
    }

    /** What to do with one more warning of this kind. */
    enum Verdict {
        /** Log it in full. */
        LOG,
        /** Only counted; a report of the count is already due. */
        COUNT,
        /** Only counted, and the first such: arrange for {@link #takeCount} one period from now. */
        COUNT_AND_SCHEDULE_REPORT
    }

    synchronized Verdict admit() {
        long now = clock.getAsLong();
        if (suppressed == 0 && !reportDue && now - lastWarning > periodNanos) {
            fullLeft = inFull; // a new burst
        }
        lastWarning = now;
        if (fullLeft > 0) {
            fullLeft--;
            return Verdict.LOG;
        }
        suppressed++;
        if (reportDue) {
            return Verdict.COUNT;
        }
        reportDue = true;
        return Verdict.COUNT_AND_SCHEDULE_REPORT;
    }

    /**
     * The count since the last report, reset to 0. When it is not 0, call again one period later
     * (more may come meanwhile); when it is 0, the burst is over and no report is due any more.
     */
    synchronized long takeCount() {
        long count = suppressed;
        suppressed = 0;
        reportDue = count > 0;
        return count;
    }

    Duration period() {
        return Duration.ofNanos(periodNanos);
    }
}
