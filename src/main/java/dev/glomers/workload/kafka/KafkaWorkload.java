package dev.glomers.workload.kafka;

import dev.glomers.node.CoreDriver;
import dev.glomers.node.Node;
import dev.glomers.retry.Retries;
import io.github.resilience4j.retry.Retry;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Profile;

/**
 * Parts 5a-5c, a Kafka-style log, one profile for one node or many: the wiring of {@link KafkaCore}
 * (the algorithm and all its timing) to the node. See docs/kafka.md.
 */
@Profile("kafka")
@EnableConfigurationProperties(KafkaProperties.class)
public class KafkaWorkload {

    public KafkaWorkload(Node node, KafkaProperties settings, Retries retries) {
        // Looked up now: a policy missing from application.yml fails start-up, not the first commit.
        Retry replicate = retries.policy("kafka-replicate");
        Retry commit = retries.policy("kafka-commit");
        CoreDriver.drive(node, () -> new KafkaCore(node.id(), node.nodeIds(), settings, replicate, commit));
    }
}
