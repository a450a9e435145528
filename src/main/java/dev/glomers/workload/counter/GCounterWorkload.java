package dev.glomers.workload.counter;

import dev.glomers.kv.KvProperties;
import dev.glomers.node.CoreDriver;
import dev.glomers.node.Node;
import dev.glomers.retry.Retries;
import io.github.resilience4j.retry.Retry;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Profile;

/**
 * Part 4, the grow-only counter on {@code seq-kv}: wiring only. The algorithm, its timing included,
 * is {@link GCounterCore}; its settings are {@link GCounterProperties}, the KV timeout and the
 * {@value #FLUSH} / {@value #READ} retry policies of application.yml.
 */
@Profile("g-counter")
@EnableConfigurationProperties(GCounterProperties.class)
public class GCounterWorkload {

    /** Paces the attempts to put a batch of adds into the node's own key. */
    static final String FLUSH = "counter-flush";
    /** Paces the attempts to read another node's key. */
    static final String READ = "counter-read";

    public GCounterWorkload(Node node, GCounterProperties settings, KvProperties kv, Retries retries) {
        Retry flush = retries.policy(FLUSH); // a missing policy is a start-up error
        Retry read = retries.policy(READ);
        GCounterCore.Timing timing = new GCounterCore.Timing(kv.timeout().toMillis(),
                settings.readDeadline().toMillis(), settings.readStaleness().toMillis());
        CoreDriver.drive(node, () -> new GCounterCore(node.id(), node.nodeIds(), timing, flush, read));
    }
}
