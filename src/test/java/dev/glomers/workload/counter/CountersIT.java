package dev.glomers.workload.counter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.ClusterOptions;
import dev.glomers.cluster.ClusterResult;
import dev.glomers.testing.ProductRuns;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * g-counter and pn-counter as real node processes (target/glomers.jar through bin/glomers) under
 * the local cluster runner, on the part-4 flags shortened for CI: 3 nodes, rate 100, 8 s, a partition
 * change every 2 s, 5 s of recovery before the final reads. The runner's seq-kv serves stale states
 * as the workbench's does. The msgs-per-op bounds guard the figures in docs/counters.md.
 */
@Timeout(120)
class CountersIT {

    @TempDir
    Path store;

    private ClusterResult run(String workload, String profiles) {
        ClusterOptions options = ClusterOptions.builder(workload).command(ProductRuns.node(profiles))
                .nodeCount(3).rate(100).timeLimitSeconds(8).partitionNemesis(true).nemesisIntervalSeconds(2)
                .recoveryWaitSeconds(5).storeDir(store).build();
        return ProductRuns.run(options);
    }

    @Test
    void gCounterStrictIsExactOnEveryNodeAfterPartitions() {
        ClusterResult r = run("g-counter", "g-counter");
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        assertThat(r.check("counter").verdict()).isEqualTo(Verdict.VALID);
        assertThat(r.serverMsgsPerOp()).isLessThan(5.5);
    }

    @Test
    void gCounterFrugalIsExactOnEveryNodeAfterPartitionsWithFewerMessages() {
        ClusterResult r = run("g-counter", "g-counter,frugal");
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        assertThat(r.check("counter").verdict()).isEqualTo(Verdict.VALID);
        assertThat(r.serverMsgsPerOp()).isLessThan(1.5);
    }

    @Test
    void pnCounterConvergesToTheExactSumAfterPartitions() {
        ClusterResult r = run("pn-counter", "pn-counter");
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        assertThat(r.check("counter").verdict()).isEqualTo(Verdict.VALID);
        assertThat(r.serverMsgsPerOp()).isLessThan(0.5);
    }
}
