package dev.glomers.workload.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.ClusterOptions;
import dev.glomers.cluster.ClusterResult;
import dev.glomers.testing.ProductRuns;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parts 3a, 3b and 3c on real node processes (the packaged jar through bin/glomers) under the local
 * cluster runner, checked the way the workbench checks them. Shortened to 10 s of traffic.
 */
@Timeout(300)
class BroadcastRunnerIT {

    @TempDir
    Path store;

    /** Runs the part on nodes spawned through the launcher, as the workbench spawns them (the node host). */
    private ClusterResult run(ClusterOptions.Builder options) {
        return ProductRuns.run(options.command(ProductRuns.node("broadcast")).timeLimitSeconds(10).rate(10)
                .storeDir(store).build());
    }

    private static void assertEveryValueReadEverywhere(ClusterResult result) {
        assertThat(result.isValid()).as(result.summary()).isTrue();
        CheckResult set = result.check("set-full");
        assertThat(set.verdict()).as("set-full: " + set.summary()).isEqualTo(CheckResult.Verdict.VALID);
        assertThat(set.details().get("lost-count")).isEqualTo(0);
        assertThat(set.details().get("never-read-count")).isEqualTo(0);
        assertThat((int) set.details().get("stable-count")).isEqualTo((int) set.details().get("attempt-count")).isPositive();
    }

    @Test
    void part3aSingleNode() {
        ClusterResult result = run(ClusterOptions.builder("broadcast").nodeCount(1).recoveryWaitSeconds(2));
        assertEveryValueReadEverywhere(result);
        assertThat(result.serverMsgsPerOp()).as("a node alone talks to nobody").isZero();
    }

    @Test
    void part3bFiveNodes() {
        assertEveryValueReadEverywhere(run(ClusterOptions.builder("broadcast").nodeCount(5).recoveryWaitSeconds(3)));
    }

    @Test
    void part3cFiveNodesWithPartitions() {
        // Partitions every 2 s on average; the workbench's 10 s recovery wait before the final reads.
        assertEveryValueReadEverywhere(run(ClusterOptions.builder("broadcast").nodeCount(5)
                .partitionNemesis(true).nemesisIntervalSeconds(2)));
    }
}
