package dev.glomers.cluster.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.ClusterResult;
import dev.glomers.cluster.ClusterRunner;
import dev.glomers.cluster.fakes.Fakes;
import dev.glomers.cluster.fakes.ListAppendNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** -w txn-list-append against fake nodes: one correct single node, one lazily replicating cluster. */
@Timeout(60)
class TxnListAppendRunnerTest {

    @TempDir
    Path store;

    private ClusterResult run(ClusterResult result) {
        System.out.println(result.summary());
        return result;
    }

    @Test
    void aSingleNodeApplyingEachTransactionAtomicallyIsStrictSerializable() {
        ClusterResult r = run(ClusterRunner.run(Fakes.options("txn-list-append", store, ListAppendNode.class, "local")
                .concurrency(4).rate(60).timeLimitSeconds(2).build(), new PrintStream(new ByteArrayOutputStream())));
        CheckResult check = r.check("txn-list-append");
        assertThat(check.verdict()).as(check.summary()).isEqualTo(Verdict.VALID);
        assertThat((int) check.details().get("ok-count")).isGreaterThan(60);
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    }

    @Test
    void nodesThatServeLocalStateAndReplicateLaterAreCaught() throws Exception {
        ClusterResult r = run(ClusterRunner.run(Fakes.options("txn-list-append", store, ListAppendNode.class, "lazy")
                .nodeCount(3).concurrency(6).rate(100).timeLimitSeconds(2).keyCount(3).build(),
                new PrintStream(new ByteArrayOutputStream())));
        CheckResult check = r.check("txn-list-append");
        assertThat(check.verdict()).as(check.summary()).isEqualTo(Verdict.INVALID);
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
        // The anomalies reach results.json with their explanations.
        assertThat(Files.readString(r.runDir().resolve("results.json"))).contains("\"explanation\"", "\"txns\"");
    }
}
