package dev.glomers.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.cluster.CheckResult.Verdict;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product's own nodes (target/glomers.jar through bin/glomers, as the workbench spawns them) on the
 * challenge command lines, shortened for CI.
 */
@Timeout(120)
class ClusterIT {

    static final String LAUNCHER = Path.of("bin", "glomers").toAbsolutePath().toString();

    @TempDir
    Path store;

    private ClusterResult run(ClusterOptions.Builder options) {
        ClusterResult result = ClusterRunner.run(options.storeDir(store).build(), System.out);
        System.out.println(result.summary());
        return result;
    }

    /** Challenge 1: -w echo --node-count 1 --time-limit 10 (here 5 s). */
    @Test
    void echo() {
        ClusterResult r = run(ClusterOptions.builder("echo").command(List.of(LAUNCHER, "echo"))
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
        ClusterResult r = run(ClusterOptions.builder("unique-ids").command(List.of(LAUNCHER, "unique-ids"))
                .nodeCount(3).timeLimitSeconds(8).rate(1000).availability(1.0).partitionNemesis(true)
                .nemesisIntervalSeconds(2));
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        assertThat(r.check("unique-ids").details()).containsEntry("duplicated-count", 0L);
        assertThat(r.serverMsgsPerOp()).as("unique ids need no node-to-node messages").isZero();
    }
}
