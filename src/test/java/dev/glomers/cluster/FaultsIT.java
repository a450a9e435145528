package dev.glomers.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.fakes.EchoNode;
import dev.glomers.cluster.fakes.Fakes;
import dev.glomers.cluster.fakes.UniqueIdsNode;
import dev.glomers.testing.ProductRuns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nemesis's process faults on whole runs of real processes: a kill bites (a node that keeps its counter
 * in memory hands out duplicates once restarted; ours does not), operations to a dead node end
 * indeterminate, and every fault is a pair of operations in the history and a band in report.html.
 */
@Timeout(120)
class FaultsIT {

    @TempDir
    Path store;

    /**
     * Kill one node at a time, often: every run sees several kills and restarts. Many workers at a low rate:
     * a worker that asked the dead node waits out its 5 s timeout, and at rate 300 with three workers per
     * node every one of them was stuck so by the time the node was back (CI saw 8 kills and no restarted
     * node asked anything, so no duplicate). With ten per node at rate 15, a dead window of a second
     * catches about two of a node's ten; the rest ask the restarted node.
     */
    private ClusterOptions.Builder uniqueIdsUnderKills(ClusterOptions.Builder options) {
        return options.storeDir(store).nodeCount(3).set(ClusterOptions.CONCURRENCY, "10n").rate(15)
                .timeLimitSeconds(8).nemesis("kill")
                .nemesisIntervalSeconds(0.7).set(ClusterOptions.KILL_TARGETS, List.of("one")).seed(19L);
    }

    @Test
    void aCounterKeptInMemoryHandsOutDuplicatesOnceItsNodeIsKilled() throws Exception {
        ClusterResult r = ProductRuns.run(uniqueIdsUnderKills(
                Fakes.options("unique-ids", store, UniqueIdsNode.class, "correct")).build());

        CheckResult uniqueIds = r.check("unique-ids");
        assertThat(uniqueIds.verdict()).as("%s", r.summary()).isEqualTo(Verdict.INVALID);
        assertThat((Long) uniqueIds.details().get("duplicated-count")).isPositive();
        assertThat(uniqueIds.summary()).contains("returned more than once").containsPattern("n\\d-\\d+");
        assertThat(r.check("protocol").verdict()).as("a kill is no protocol error").isEqualTo(Verdict.VALID);

        List<Op> ops = r.history().ops();
        List<Op> kills = nemesisOps(ops, "kill");
        List<Op> starts = nemesisOps(ops, "start");
        assertThat(kills).isNotEmpty();
        assertThat(starts).as("every kill ends in a start").hasSameSizeAs(kills);
        assertThat(starts).allSatisfy(start -> assertThat(start.value().toString()).contains("started"));
        assertThat(r.faults()).containsEntry("kill", Map.of("count", (long) kills.size(), "nodes", (long) kills.size()));
        assertThat(r.summary()).contains("faults", "kill " + kills.size());

        // Operations a dead node never answered end indeterminate, never ok or failed.
        Map<Integer, Op> completions = History.completionsByInvocation(ops);
        long toTheDead = 0;
        for (int k = 0; k < kills.size(); k++) {
            String victim = kills.get(k).value().path("nodes").fieldNames().next();
            long from = kills.get(k).timeNanos();
            long to = starts.get(k).timeNanos();
            for (Op op : ops) {
                if (op.isClientOp() && op.isInvoke() && op.node().equals(victim) && op.timeNanos() > from
                        && op.timeNanos() < to) {
                    assertThat(completions.get(op.index()).type()).as("op %d to dead %s", op.index(), victim)
                            .isEqualTo(Op.Type.INFO);
                    toTheDead++;
                }
            }
        }
        assertThat(toTheDead).as("operations sent to a dead node").isPositive();

        String report = Files.readString(r.runDir().resolve(ClusterResult.REPORT_FILE));
        assertThat(report).contains("\"kind\":\"kill\"").contains("fault-legend");
    }

    @Test
    void glomersUniqueIdsStayUniqueThroughKills() {
        ClusterResult r = ProductRuns.run(uniqueIdsUnderKills(ClusterOptions.builder("unique-ids")
                .command(ProductRuns.node("unique-ids"))).build());
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        assertThat(r.check("unique-ids").details()).containsEntry("duplicated-count", 0L);
        assertThat(nemesisOps(r.history().ops(), "kill")).isNotEmpty();
    }

    @Test
    void everyFaultIsAPairOfOperationsInTheHistoryAndABandInTheReport() throws Exception {
        ClusterResult r = ProductRuns.run(Fakes.options("echo", store, EchoNode.class, "correct").nodeCount(3)
                .timeLimitSeconds(5).rate(30).nemesis("kill", "pause", "partition").nemesisIntervalSeconds(0.25)
                .seed(7L).build());

        List<Op> ops = r.history().ops();
        Set<String> fs = ops.stream().filter(op -> !op.isClientOp()).map(Op::f).collect(Collectors.toSet());
        assertThat(fs).contains("kill", "start", "pause", "resume", "start-partition", "stop-partition");
        for (String kind : Faults.KINDS) {
            assertThat(nemesisOps(ops, Faults.end(kind))).as(kind + " ends").hasSameSizeAs(
                    nemesisOps(ops, Faults.beginning(kind)));
        }
        assertThat(nemesisOps(ops, "pause")).anySatisfy(p -> assertThat(p.value().toString()).contains("\"paused\""));
        assertThat(r.check("protocol").verdict()).isEqualTo(Verdict.VALID);
        String report = Files.readString(r.runDir().resolve(ClusterResult.REPORT_FILE));
        assertThat(report).contains("\"kind\":\"kill\"", "\"kind\":\"pause\"", "\"kind\":\"partition\"");
        assertThat(r.runDir().resolve("data").resolve("n0")).isDirectory();
    }

    private static List<Op> nemesisOps(List<Op> ops, String f) {
        return ops.stream().filter(op -> !op.isClientOp() && op.f().equals(f)).toList();
    }
}
