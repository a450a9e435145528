package dev.glomers.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.node.ErrorCode;
import dev.glomers.node.RpcError;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The policy as data: the waits a core gets are the YAML policy's, and the chain restarts after success. */
class BackoffTest {

    private final Backoff backoff = new Backoff(io.github.resilience4j.retry.Retry.of("pacing",
            Retries.config(new RetryProperties.Policy(4, Duration.ofMillis(100), 2, Duration.ofMillis(300), List.of(0)))));

    @Test
    void waitsGrowByThePolicyUntilItGivesUp() {
        RpcError missed = RpcError.timeout("no acknowledgement");
        assertThat(backoff.afterFailure(missed)).isEqualTo(100);
        assertThat(backoff.afterFailure(missed)).isEqualTo(200);
        assertThat(backoff.afterFailure(missed)).isEqualTo(300);
        assertThat(backoff.failing()).isTrue();
        assertThat(backoff.afterFailure(missed)).isEqualTo(Backoff.GIVE_UP);
        assertThat(backoff.failing()).isFalse();
        assertThat(backoff.afterFailure(missed)).isEqualTo(100); // a new chain
    }

    @Test
    void successStartsOver() {
        RpcError missed = RpcError.timeout("no acknowledgement");
        backoff.afterFailure(missed);
        backoff.afterFailure(missed);
        backoff.succeeded();
        assertThat(backoff.afterFailure(missed)).isEqualTo(100);
    }

    @Test
    void aCodeThePolicyDoesNotRetryGivesUpAtOnce() {
        assertThat(backoff.afterFailure(new RpcError(ErrorCode.PRECONDITION_FAILED, "no"))).isEqualTo(Backoff.GIVE_UP);
    }
}
