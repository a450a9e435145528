package dev.glomers.workload.broadcast;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glomers.workload.broadcast.BroadcastProperties.ClientAck;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BroadcastPropertiesTest {

    private static BroadcastProperties settings(Duration ackDelay, Duration ackTimeout, ClientAck clientAck) {
        Duration window = Duration.ofMillis(150);
        return new BroadcastProperties(0, window, window, Duration.ofMillis(120), Duration.ofMillis(60), Duration.ofMillis(10),
                Duration.ofMillis(500), ackDelay, ackTimeout, clientAck);
    }

    @Test
    void anAckTimeoutNotLongerThanTheAckDelayWouldResendHealthyBatches() {
        assertThatThrownBy(() -> settings(Duration.ofSeconds(1), Duration.ofSeconds(1), ClientAck.ON_RECEIPT))
                .hasMessageContaining("ack-timeout");
    }

    @Test
    void theHubCannotLingerIntoItsNextWindow() {
        Duration window = Duration.ofMillis(150);
        assertThatThrownBy(() -> new BroadcastProperties(0, window, window, Duration.ofMillis(120), window, Duration.ofMillis(10),
                Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), ClientAck.AFTER_WINDOW))
                .hasMessageContaining("relay-linger");
    }

    @Test
    void everySettingIsRequired() {
        assertThatThrownBy(() -> settings(null, Duration.ofSeconds(2), ClientAck.ON_RECEIPT)).hasMessageContaining("ack-delay");
        assertThatThrownBy(() -> settings(Duration.ofSeconds(1), Duration.ofSeconds(2), null)).hasMessageContaining("client-ack");
    }
}
