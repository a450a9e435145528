package dev.glomers.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.testing.ProductRuns;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product's own nodes (target/glomers.jar through bin/glomers, as the workbench spawns them) on the
 * challenge command lines, shortened for CI.
 */
@Timeout(120)
class ClusterIT {

    @TempDir
    Path store;

    private ClusterResult run(ClusterOptions.Builder options) {
        return ProductRuns.run(options.storeDir(store).build());
    }

    /** Challenge 1: -w echo --node-count 1 --time-limit 10 (here 5 s). */
    @Test
    void echo() {
        ClusterResult r = run(ClusterOptions.builder("echo").command(ProductRuns.node("echo"))
                .nodeCount(1).timeLimitSeconds(5));
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        assertThat(r.opCount()).isGreaterThan(10);
    }

    /**
     * Challenge 2: -w unique-ids --time-limit 30 --rate 1000 --node-count 3 --availability total
     * --nemesis partition (here 8 s with a 2 s nemesis interval, so partitions do happen).
     */
    @Test
    void uniqueIdsUnderPartitions() {
        ClusterResult r = run(ClusterOptions.builder("unique-ids").command(ProductRuns.node("unique-ids"))
                .nodeCount(3).timeLimitSeconds(8).rate(1000).availability(1.0).partitionNemesis(true)
                .nemesisIntervalSeconds(2));
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        assertThat(r.check("unique-ids").details()).containsEntry("duplicated-count", 0L);
        assertThat(r.serverMsgsPerOp()).as("unique ids need no node-to-node messages").isZero();
    }
}
