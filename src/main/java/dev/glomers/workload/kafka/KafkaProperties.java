package dev.glomers.workload.kafka;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code glomers.kafka} block of application.yml (profile {@code kafka}). Retry policies:
 * {@code glomers.retry.kafka-replicate} paces redelivery of replication, {@code glomers.retry.kafka-commit}
 * the compare-and-set of the committed-offsets document.
 *
 * @param rpcTimeout           a forwarded send, and a request to lin-kv, gets no answer within this long: it failed
 *                             (a forwarded send then answers 0, indefinite)
 * @param replicateInterval    a peer that got no new messages from this node for this long (none rode on a
 *                             forward or a reply) gets them in a batch of its own
 * @param heartbeatInterval    a peer not heard from for this long (and not asked anything) gets an empty batch
 * @param ownerSuspectAfter    an owner not heard from for this long is unreachable: sends for its keys fail at once with 11
 * @param commitFlushInterval  how long an acknowledged commit may wait before it is written to lin-kv (write-behind)
 * @param ackDelay             how long a node waits for a message going the other way to carry an acknowledgement
 *                             of replicated messages before it sends one alone
 * @param ackTimeout           replicated messages not acknowledged within this long make the peer suspect and start
 *                             redelivery; must exceed {@code ackDelay} plus a round trip
 * @param pollMaxPerKey        most messages per key in one poll answer
 * @param pollMaxMessages      most messages in one poll answer
 * @param replicateMaxMessages most replicated messages on one message between nodes
 */
@ConfigurationProperties("glomers.kafka")
public record KafkaProperties(
        Duration rpcTimeout,
        Duration replicateInterval,
        Duration heartbeatInterval,
        Duration ownerSuspectAfter,
        Duration commitFlushInterval,
        Duration ackDelay,
        Duration ackTimeout,
        int pollMaxPerKey,
        int pollMaxMessages,
        int replicateMaxMessages) {

    public KafkaProperties {
        requirePositive("rpc-timeout", rpcTimeout);
        requirePositive("replicate-interval", replicateInterval);
        requirePositive("heartbeat-interval", heartbeatInterval);
        requirePositive("owner-suspect-after", ownerSuspectAfter);
        requirePositive("commit-flush-interval", commitFlushInterval);
        requirePositive("ack-delay", ackDelay);
        requirePositive("ack-timeout", ackTimeout);
        if (ownerSuspectAfter.compareTo(heartbeatInterval) <= 0) {
            throw new IllegalArgumentException("glomers.kafka.owner-suspect-after must exceed heartbeat-interval, "
                    + "or a live owner is suspected between two heartbeats");
        }
        if (ackTimeout.compareTo(ackDelay) <= 0) {
            throw new IllegalArgumentException("glomers.kafka.ack-timeout must exceed ack-delay, or healthy batches are sent twice");
        }
        if (pollMaxPerKey <= 0 || pollMaxMessages <= 0 || replicateMaxMessages <= 0) {
            throw new IllegalArgumentException("glomers.kafka.poll-max-per-key, poll-max-messages and replicate-max-messages must be positive");
        }
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("glomers.kafka." + name + " must be set in application.yml and positive");
        }
    }
}
