package dev.glomers.kv;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code glomers.kv} block of application.yml, shared by every workload that uses a key-value service.
 *
 * @param timeout how long a request to {@code seq-kv}, {@code lin-kv} or {@code lww-kv} waits for its reply
 *                before it counts as lost (error 0): the workbench never reports a lost message
 */
@ConfigurationProperties("glomers.kv")
public record KvProperties(Duration timeout) {

    public KvProperties {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("glomers.kv.timeout must be set in application.yml and positive");
        }
    }
}
