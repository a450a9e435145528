package dev.glomers.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glomers.node.ErrorCode;
import dev.glomers.node.Node;
import dev.glomers.node.NodeThreads;
import dev.glomers.node.RpcError;
import dev.glomers.testing.PipedNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RetriesTest {

    private final Node node = new Node(new NodeThreads("retry-test"));
    private final Retries retries = new Retries(new RetryProperties(Map.of(
            "cas", new RetryProperties.Policy(5, Duration.ofMillis(1), 2, Duration.ofMillis(4), List.of(0, 22)))), node);

    @AfterEach
    void close() {
        node.close();
    }

    private CompletableFuture<String> failing(AtomicInteger attempts, int failures, ErrorCode code) {
        int attempt = attempts.incrementAndGet();
        return attempt <= failures ? CompletableFuture.failedFuture(new RpcError(code, "attempt " + attempt))
                : CompletableFuture.completedFuture("done after " + attempt);
    }

    @Test
    void retriesListedCodesUntilSuccess() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        String result = retries.run("cas", () -> failing(attempts, 3, ErrorCode.PRECONDITION_FAILED)).get(5, TimeUnit.SECONDS);
        assertThat(result).isEqualTo("done after 4");
    }

    @Test
    void givesUpAfterMaxAttemptsWithTheLastError() {
        AtomicInteger attempts = new AtomicInteger();
        CompletableFuture<String> result = retries.run("cas", () -> failing(attempts, 100, ErrorCode.TIMEOUT));
        assertThatThrownBy(() -> result.get(5, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(RpcError.class, error -> assertThat(error.text()).isEqualTo("attempt 5"));
        assertThat(attempts).hasValue(5);
    }

    @Test
    void doesNotRetryOtherCodes() {
        AtomicInteger attempts = new AtomicInteger();
        CompletableFuture<String> result = retries.run("cas", () -> failing(attempts, 100, ErrorCode.KEY_DOES_NOT_EXIST));
        assertThatThrownBy(() -> result.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(RpcError.class);
        assertThat(attempts).hasValue(1);
    }

    @Test
    void anUnconfiguredPolicyIsAnError() {
        assertThatThrownBy(() -> retries.policy("typo")).hasMessageContaining("typo").hasMessageContaining("cas");
    }

    @Test
    void policiesAreBoundFromApplicationYml() throws Exception {
        try (PipedNode node = new PipedNode("echo", "--glomers.retry.kv-cas.max-attempts=7")) {
            Retries bound = node.bean(Retries.class);
            assertThat(bound.policy("kv-cas").getRetryConfig().getMaxAttempts()).isEqualTo(7);
        }
    }
}
