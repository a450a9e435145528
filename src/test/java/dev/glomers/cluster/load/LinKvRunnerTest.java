package dev.glomers.cluster.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.ClusterOptions;
import dev.glomers.cluster.ClusterResult;
import dev.glomers.cluster.ClusterRunner;
import dev.glomers.cluster.check.CasRegisterLinearizability;
import dev.glomers.cluster.fakes.Fakes;
import dev.glomers.cluster.fakes.LinKvNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** -w lin-kv end to end on fake nodes: correct stores pass, a store with stale reads is caught. */
@Timeout(60)
class LinKvRunnerTest {

    @TempDir
    Path store;

    private ClusterResult run(ClusterOptions.Builder options) {
        ClusterResult result = ClusterRunner.run(options.build(), new PrintStream(new ByteArrayOutputStream(), true));
        System.out.println(result.summary());
        return result;
    }

    private ClusterOptions.Builder linKv(String mode, int nodes) {
        return Fakes.options("lin-kv", store, LinKvNode.class, mode).nodeCount(nodes).concurrency(4 * nodes)
                .rate(60).timeLimitSeconds(3);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> keys(ClusterResult r) {
        return (Map<String, Map<String, Object>>) r.check(CasRegisterLinearizability.NAME).details().get("keys");
    }

    @Test
    void aSingleInMemoryNodeIsLinearizable() {
        ClusterResult r = run(linKv("local", 1));
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        // --concurrency 4n on one node: two groups of two workers, keys 0 and 1
        assertThat(keys(r)).containsOnlyKeys("0", "1");
        long ok = keys(r).values().stream().mapToLong(k -> ((Number) k.get("ok")).longValue()).sum();
        assertThat(ok).isGreaterThan(50);
    }

    @Test
    void nodesForwardingToOnePrimaryAreLinearizableThroughPartitions() {
        // Forwards lost in partitions time out after 1 s: indeterminate ops, which may or may not have happened.
        ClusterResult r = run(linKv("primary", 3).partitionNemesis(true).nemesisIntervalSeconds(0.5).timeLimitSeconds(4));
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        assertThat(r.check("availability").details().get("info-count")).isNotEqualTo(0L);
    }

    @Test
    void readsFromLazilyReplicatedCopiesAreCaught() {
        ClusterResult r = run(linKv("lazy", 3));
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
        var check = r.check(CasRegisterLinearizability.NAME);
        assertThat(check.verdict()).isEqualTo(Verdict.INVALID);
        assertThat((List<?>) check.details().get("failures")).isNotEmpty();
        assertThat(check.summary()).contains("not linearizable").contains(" read ").contains("cannot take effect");
        assertThat(r.check("protocol").verdict()).isEqualTo(Verdict.VALID);
    }
}
