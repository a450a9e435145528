package dev.glomers.cluster.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.ClusterOptions;
import dev.glomers.cluster.ClusterResult;
import dev.glomers.testing.ProductRuns;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kafka profile on real node processes (target/glomers.jar through bin/glomers), checked by the
 * runner's kafka checker: offsets, lost writes, skipped or reordered polls, committed offsets. The
 * challenge's lines (5a, 5b / 5c), shortened for CI.
 */
@Timeout(120)
class KafkaRunnerIT {

    @TempDir
    Path store;

    private ClusterResult run(ClusterOptions.Builder options) {
        return ProductRuns.run(options.storeDir(store).build());
    }

    private static ClusterOptions.Builder kafka(int nodes) {
        // --concurrency 2n --rate 1000, as on the challenge's lines
        return ClusterOptions.builder("kafka").command(ProductRuns.node("kafka")).nodeCount(nodes)
                .concurrency(2 * nodes).rate(1000).recoveryWaitSeconds(1);
    }

    /** Server messages per operation as the workbench counts operations (a poll and its commit are one). */
    @SuppressWarnings("unchecked")
    private static double workbenchServerMsgsPerOp(ClusterResult result) {
        long servers = ((Number) ((Map<String, Object>) result.net().get("servers")).get("msg-count")).longValue();
        return (double) servers / ((Number) result.check("kafka").details().get("workbench-op-count")).longValue();
    }

    /** 5a: --node-count 1 --concurrency 2n --time-limit 20 --rate 1000 (here 6 s). */
    @Test
    void oneNode() {
        ClusterResult r = run(kafka(1).timeLimitSeconds(6));
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        assertThat(((Number) r.check("kafka").details().get("ok-sends")).longValue()).isGreaterThan(500);
        assertThat(r.serverMsgsPerOp()).as("one node talks only to lin-kv, for committed offsets").isLessThan(0.2);
    }

    /** 5b / 5c: --node-count 2, same otherwise (here 8 s): valid, and at most one server message per operation. */
    @Test
    void twoNodesAtMostOneServerMessagePerOperation() {
        ClusterResult r = run(kafka(2).timeLimitSeconds(8));
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        assertThat(workbenchServerMsgsPerOp(r)).isLessThanOrEqualTo(1.0);
        assertThat(r.latencies().get("all")).containsKey("0.5");
    }

    /** 5c with --nemesis partition (here 10 s with a 1 s nemesis interval, so nodes do get cut apart). */
    @Test
    void twoNodesUnderPartitions() {
        ClusterResult r = run(kafka(2).timeLimitSeconds(10).partitionNemesis(true).nemesisIntervalSeconds(1)
                .recoveryWaitSeconds(3));
        assertThat(r.check("kafka").verdict()).as(r.check("kafka").summary()).isEqualTo(Verdict.VALID);
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    }
}
