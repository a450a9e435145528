package dev.glomers.workload.counter;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code glomers.counter} block of application.yml (profile {@code g-counter}; {@code g-counter & frugal}
 * raises the staleness).
 *
 * @param readDeadline  a read with no answer from seq-kv by then answers error 0; under the client's 5 s
 * @param readStaleness how old a read's view of the other nodes' totals may be: a read reflects every add
 *                      acknowledged anywhere at least this long before it arrived; 0 = strict (every read
 *                      writes the node's own key, then reads the others')
 */
@ConfigurationProperties("glomers.counter")
public record GCounterProperties(Duration readDeadline, Duration readStaleness) {

    public GCounterProperties {
        if (readDeadline == null || readDeadline.isNegative() || readDeadline.isZero()) {
            throw new IllegalArgumentException("glomers.counter.read-deadline must be set in application.yml and positive");
        }
        if (readStaleness == null || readStaleness.isNegative()) {
            throw new IllegalArgumentException("glomers.counter.read-staleness must be set in application.yml and not negative");
        }
    }
}
