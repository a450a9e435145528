package dev.glomers.workload.txn;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code glomers.txn} block of application.yml (profile {@code txn-rw-register}): replication
 * batching and acknowledgement timing. Redelivery after a missed deadline is paced by the retry
 * policy {@code glomers.retry.txn-replicate}.
 *
 * @param batchInterval how long a committed transaction waits for others to join its batch to each peer
 * @param ackDelay      how long a node waits for a batch of its own to carry an acknowledgement before sending a bare one
 * @param ackTimeout    a batch not acknowledged within this long makes the peer suspect and starts redelivery;
 *                      must exceed {@code ackDelay} plus a round trip plus {@code batchInterval}
 * @param maxBatch      most transactions in one replication message
 */
@ConfigurationProperties("glomers.txn")
public record TxnProperties(Duration batchInterval, Duration ackDelay, Duration ackTimeout, int maxBatch) {

    public TxnProperties {
        require("batch-interval", batchInterval);
        require("ack-delay", ackDelay);
        require("ack-timeout", ackTimeout);
        if (batchInterval.isZero()) {
            throw new IllegalArgumentException("glomers.txn.batch-interval must be positive");
        }
        if (ackTimeout.compareTo(ackDelay.plus(batchInterval)) <= 0) {
            throw new IllegalArgumentException("glomers.txn.ack-timeout must exceed ack-delay plus batch-interval, "
                    + "or healthy batches are sent twice");
        }
        if (maxBatch <= 0) {
            throw new IllegalArgumentException("glomers.txn.max-batch must be positive");
        }
    }

    private static void require(String name, Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException("glomers.txn." + name + " must be set in application.yml and not negative");
        }
    }
}
