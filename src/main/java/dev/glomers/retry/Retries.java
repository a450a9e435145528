package dev.glomers.retry;

import dev.glomers.node.Node;
import dev.glomers.node.RpcError;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Resilience4j retries by name, as configured in application.yml. Each attempt is a fresh call of
 * the supplier (so a compare-and-set re-reads before it tries again) and waits are scheduled on the
 * node's event loop, never slept.
 */
public class Retries {

    private final RetryRegistry registry;
    private final Node node;

    public Retries(RetryProperties properties, Node node) {
        this.registry = RetryRegistry.ofDefaults();
        this.node = node;
        properties.retry().forEach((name, policy) -> registry.retry(name, config(policy)));
    }

    /** The named policy; a name missing from the configuration is a start-up error, not a silent default. */
    public Retry policy(String name) {
        return registry.find(name).orElseThrow(() -> new IllegalStateException(
                "no retry policy '" + name + "' under glomers.retry in application.yml; known: "
                        + registry.getAllRetries().stream().map(Retry::getName).toList()));
    }

    /** Runs {@code attempt} under the named policy until it succeeds, fails for good, or attempts run out. */
    public <T> CompletableFuture<T> run(String policyName, Supplier<CompletionStage<T>> attempt) {
        return Retry.decorateCompletionStage(policy(policyName), node.scheduler(), attempt).get().toCompletableFuture();
    }

    public RetryRegistry registry() {
        return registry;
    }

    static RetryConfig config(RetryProperties.Policy policy) {
        Duration wait = policy.waitDuration();
        Duration maxWait = policy.maxWait() == null ? wait : policy.maxWait();
        IntervalFunction intervals = policy.backoffMultiplier() > 1
                ? IntervalFunction.ofExponentialBackoff(wait, policy.backoffMultiplier(), maxWait)
                : IntervalFunction.of(wait);
        Set<Integer> codes = Set.copyOf(policy.retryOnCodes());
        return RetryConfig.custom()
                .maxAttempts(policy.maxAttempts() <= 0 ? Integer.MAX_VALUE : policy.maxAttempts())
                .intervalFunction(intervals)
                .retryOnException(failure -> RpcError.unwrap(failure) instanceof RpcError error && codes.contains(error.code()))
                .failAfterMaxAttempts(false)
                .build();
    }
}
