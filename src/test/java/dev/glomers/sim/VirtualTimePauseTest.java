package dev.glomers.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.node.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A paused loop runs nothing; at resume what fell due runs in its order, at the later time; the others never stop. */
class VirtualTimePauseTest {

    @Test
    void aPausedLoopRunsNothingUntilResumedThenCatchesUpInOrder() {
        VirtualTime time = new VirtualTime();
        EventLoop paused = time.loop(1);
        EventLoop other = time.loop(2);
        List<String> ran = new ArrayList<>();
        paused.executor().schedule(() -> ran.add("timer at " + time.elapsedNanos() / 1_000_000), 10, TimeUnit.MILLISECONDS);
        ScheduledFuture<?> cancelled = paused.executor().schedule(() -> ran.add("cancelled"), 20, TimeUnit.MILLISECONDS);
        paused.executor().execute(() -> ran.add("input at " + time.elapsedNanos() / 1_000_000));
        other.executor().schedule(() -> ran.add("other at " + time.elapsedNanos() / 1_000_000), 30, TimeUnit.MILLISECONDS);
        time.pause(paused);
        time.runFor(50_000_000);
        assertThat(ran).containsExactly("other at 30");
        cancelled.cancel(false);
        time.resume(paused);
        time.runFor(0);
        assertThat(ran).containsExactly("other at 30", "input at 50", "timer at 50");
    }
}
