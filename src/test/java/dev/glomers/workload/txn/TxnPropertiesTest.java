package dev.glomers.workload.txn;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Settings that would resend healthy batches, or never send one, are refused at start-up. */
class TxnPropertiesTest {

    @Test
    void theAckTimeoutMustCoverTheAckDelayAndABatchInterval() {
        new TxnProperties(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(300), 2000); // application.yml's
        assertThatThrownBy(() -> new TxnProperties(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(150), 2000))
                .hasMessageContaining("ack-timeout");
        assertThatThrownBy(() -> new TxnProperties(Duration.ZERO, Duration.ofMillis(100), Duration.ofMillis(300), 2000))
                .hasMessageContaining("batch-interval");
        assertThatThrownBy(() -> new TxnProperties(Duration.ofMillis(50), null, Duration.ofMillis(300), 2000))
                .hasMessageContaining("ack-delay");
        assertThatThrownBy(() -> new TxnProperties(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(300), 0))
                .hasMessageContaining("max-batch");
    }
}
