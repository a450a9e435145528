package dev.glomers.workload.kafka;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Settings that would break a timing rule are refused at start-up, with the setting named. */
class KafkaPropertiesTest {

    private static KafkaProperties with(Duration heartbeat, Duration suspectAfter, Duration ackDelay, Duration ackTimeout) {
        return new KafkaProperties(Duration.ofSeconds(1), Duration.ofMillis(100), heartbeat, suspectAfter,
                Duration.ofMillis(500), ackDelay, ackTimeout, 1000, 10000, 10000);
    }

    @Test
    void anOwnerMayNotBeSuspectedBetweenTwoHeartbeatsNorAHealthyBatchResent() {
        with(Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(1)); // application.yml's
        assertThatThrownBy(() -> with(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(1)))
                .hasMessageContaining("owner-suspect-after");
        assertThatThrownBy(() -> with(Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .hasMessageContaining("ack-timeout");
        assertThatThrownBy(() -> with(null, Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(1)))
                .hasMessageContaining("heartbeat-interval");
    }
}
