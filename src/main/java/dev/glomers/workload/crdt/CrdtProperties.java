package dev.glomers.workload.crdt;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code glomers.crdt} block of application.yml (profiles {@code pn-counter} and {@code g-set}).
 *
 * @param gossipInterval the gossip tick: at most one message per peer per tick, only when it has news
 * @param resendTicks    ticks to wait for an answer before sending the same versions to a peer again
 */
@ConfigurationProperties("glomers.crdt")
public record CrdtProperties(Duration gossipInterval, int resendTicks) {

    public CrdtProperties {
        if (gossipInterval == null || gossipInterval.toMillis() <= 0) {
            throw new IllegalArgumentException("glomers.crdt.gossip-interval must be set in application.yml, at least 1ms");
        }
        if (resendTicks < 1) {
            throw new IllegalArgumentException("glomers.crdt.resend-ticks must be set in application.yml, at least 1");
        }
    }
}
