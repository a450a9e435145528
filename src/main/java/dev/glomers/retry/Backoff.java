package dev.glomers.retry;

import dev.glomers.node.RpcError;
import io.github.resilience4j.retry.Retry;

/**
 * One chain of attempts under a Resilience4j retry policy, used as data by a pure core: the core
 * notices a missed deadline itself (on a tick) and asks how long to wait before the next attempt; no
 * executor, no clock, no callback. The policy's interval function, attempt limit and retryable codes
 * are exactly those of application.yml, so production and the simulation pace alike.
 */
public final class Backoff {

    /** What {@link #afterFailure} answers when the policy gives up. */
    public static final long GIVE_UP = -1;

    private final Retry policy;
    private Retry.AsyncContext<Void> chain;

    public Backoff(Retry policy) {
        this.policy = policy;
    }

    /**
     * An attempt failed (e.g. {@link RpcError#timeout} for a missed acknowledgement deadline):
     * milliseconds to wait before the next attempt, or {@link #GIVE_UP} when the policy is exhausted or
     * the failure is not one it retries. Giving up ends the chain; the next failure starts a new one.
     */
    public long afterFailure(Throwable failure) {
        if (chain == null) {
            chain = policy.asyncContext();
        }
        long wait = chain.onError(failure);
        if (wait < 0) {
            chain = null;
            return GIVE_UP;
        }
        return wait;
    }

    /** The attempt succeeded: the chain is over, and the next failure starts from the first wait again. */
    public void succeeded() {
        if (chain != null) {
            chain.onComplete();
            chain = null;
        }
    }

    /** Whether a chain of failures is under way. */
    public boolean failing() {
        return chain != null;
    }
}
