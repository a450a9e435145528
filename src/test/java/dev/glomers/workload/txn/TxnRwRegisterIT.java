package dev.glomers.workload.txn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.ClusterOptions;
import dev.glomers.cluster.ClusterResult;
import dev.glomers.testing.ProductRuns;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parts 6a, 6b and 6c on real node processes through the local cluster runner: the official command
 * lines, shortened to a few seconds, with partitions every couple of seconds so a short run sees some.
 */
@Timeout(120)
class TxnRwRegisterIT {

    @TempDir
    Path store;

    private ClusterResult run(String flags) throws Exception {
        List<String> args = new ArrayList<>(List.of("-w", "txn-rw-register", "--time-limit", "6", "--seed", "6",
                "--store", store.toString()));
        args.addAll(List.of(flags.split(" ")));
        return ProductRuns.run(ClusterOptions.parse(args.toArray(String[]::new), ProductRuns.LAUNCHER));
    }

    @Test
    void part6aSingleNodeReadUncommittedTotallyAvailable() throws Exception {
        ClusterResult result = run("--node-count 1 --rate 1000 --concurrency 2n --consistency-models read-uncommitted --availability total");
        assertThat(result.verdict()).isEqualTo(Verdict.VALID);
        assertThat(result.check("txn-rw-register").verdict()).isEqualTo(Verdict.VALID);
        assertThat(result.opCount()).isGreaterThan(3000);
    }

    @Test
    void part6bTwoNodesReadUncommittedUnderPartitionsTotallyAvailable() throws Exception {
        ClusterResult result = run("--node-count 2 --concurrency 2n --rate 1000 --consistency-models read-uncommitted"
                + " --availability total --nemesis partition --nemesis-interval 1.5");
        assertThat(result.verdict()).isEqualTo(Verdict.VALID);
        assertThat(result.check("availability").verdict()).isEqualTo(Verdict.VALID);
    }

    @Test
    void part6cTwoNodesReadCommittedUnderPartitionsTotallyAvailableAndFrugal() throws Exception {
        ClusterResult result = run("--node-count 2 --concurrency 2n --rate 1000"
                + " --consistency-models read-committed,read-atomic,strong-session-read-committed"
                + " --availability total --nemesis partition --nemesis-interval 1.5");
        assertThat(result.verdict()).isEqualTo(Verdict.VALID);
        assertThat(result.check("txn-rw-register").verdict()).isEqualTo(Verdict.VALID);
        assertThat(result.check("availability").verdict()).isEqualTo(Verdict.VALID);
        assertThat(result.serverMsgsPerOp()).isLessThanOrEqualTo(0.1);
    }
}
