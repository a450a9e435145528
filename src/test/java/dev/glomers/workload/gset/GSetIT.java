package dev.glomers.workload.gset;

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
 * g-set as real node processes under the local cluster runner, on the part-4 flags shortened for CI:
 * 3 nodes, rate 100, 8 s, a partition change every 2 s, 5 s of recovery before the final reads.
 */
@Timeout(120)
class GSetIT {

    @TempDir
    Path store;

    @Test
    void everyAddedElementIsReadEverywhereAfterPartitionsAndNothingIsLost() {
        ClusterOptions options = ClusterOptions.builder("g-set").command(ProductRuns.node("g-set"))
                .nodeCount(3).rate(100).timeLimitSeconds(8).partitionNemesis(true).nemesisIntervalSeconds(2)
                .recoveryWaitSeconds(5).storeDir(store).build();
        ClusterResult r = ProductRuns.run(options);
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        assertThat(r.check("set-full").verdict()).isEqualTo(Verdict.VALID);
        assertThat(((Number) r.check("set-full").details().get("lost-count")).longValue()).isZero();
        assertThat(((Number) r.check("set-full").details().get("stable-count")).longValue()).isPositive();
        assertThat(r.serverMsgsPerOp()).isLessThan(0.5);
    }
}
