package dev.glomers.workload.kafka;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.node.Body;
import java.util.List;
import java.util.Map;

/**
 * What kafka nodes say (docs/kafka.md): the client API's bodies, and between nodes the forwarded sends and
 * replication batches, every one carrying replication both ways. The algorithm is {@link KafkaCore}.
 */
final class KafkaMessages {

    private KafkaMessages() {
    }

    // ---- client API ----
    record Send(String key, JsonNode msg) {
    }

    record SendOk(long offset) implements Body {
        @Override
        public String type() {
            return "send_ok";
        }
    }

    record Poll(Map<String, Long> offsets) {
    }

    record PollOk(Map<String, List<List<Object>>> msgs) implements Body {
        @Override
        public String type() {
            return "poll_ok";
        }
    }

    record CommitOffsets(Map<String, Long> offsets) {
    }

    record ListCommittedOffsets(List<String> keys) {
    }

    // ---- between nodes: every message carries replication both ways ----
    /** One message the owner appended: replicas take it at exactly this offset. */
    record Appended(String key, long offset, JsonNode msg) {
    }

    /** The sender's appends the receiver was not sent yet (seqs {@code from}, {@code from + 1}, ...) and its acknowledgement of the receiver's. */
    record Replication(long from, List<Appended> msgs, long ack,
                       @JsonInclude(JsonInclude.Include.NON_DEFAULT) long incarnation,
                       @JsonInclude(JsonInclude.Include.NON_DEFAULT) long peerIncarnation,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Long> floors) {
    }

    /**
     * {@code awaited}: the sender's oldest forward (msg_id) still unanswered, this one included;
     * {@code incarnation}: a durable sender's, which its restarts count (null without a data directory).
     */
    record ForwardedSend(String key, JsonNode msg, long awaited, Replication replication, Long incarnation) implements Body {
        @Override
        public String type() {
            return "kafka_send";
        }
    }

    /** {@code incarnation}: the forward's, so a restarted sender never takes an answer meant for its earlier self. */
    record ForwardedSendOk(long offset, Replication replication, Long incarnation) implements Body {
        @Override
        public String type() {
            return "kafka_send_ok";
        }
    }

    record Replicate(Replication replication) implements Body {
        @Override
        public String type() {
            return "kafka_replicate";
        }
    }

    record ReplicateOk(Replication replication) implements Body {
        @Override
        public String type() {
            return "kafka_replicate_ok";
        }
    }
}
