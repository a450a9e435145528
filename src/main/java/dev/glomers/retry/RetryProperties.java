package dev.glomers.retry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The named retry policies under {@code glomers.retry} in application.yml, for example:
 * <pre>
 * glomers.retry.counter-flush:
 *   max-attempts: 12          # 0 means until it succeeds
 *   wait-duration: 5ms        # first wait
 *   backoff-multiplier: 2     # each wait is this much longer than the last ...
 *   max-wait: 400ms           # ... up to this
 *   retry-on-codes: [0, 20, 22]   # error codes worth another attempt (0 is a timeout)
 * </pre>
 */
@ConfigurationProperties("glomers")
public record RetryProperties(Map<String, Policy> retry) {

    public RetryProperties {
        retry = retry == null ? Map.of() : Map.copyOf(retry);
    }

    public record Policy(
            @DefaultValue("3") int maxAttempts,
            @DefaultValue("100ms") Duration waitDuration,
            @DefaultValue("1") double backoffMultiplier,
            Duration maxWait,
            @DefaultValue("0") List<Integer> retryOnCodes) {
    }
}
