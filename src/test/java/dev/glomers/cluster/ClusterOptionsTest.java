package dev.glomers.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glomers.cluster.ClusterOptions.UsageException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterOptionsTest {

    private static final Path BIN = Path.of("/repo/bin/glomers");

    private static ClusterOptions parse(String line) throws UsageException {
        return ClusterOptions.parse(line.isEmpty() ? new String[0] : line.split(" "), BIN);
    }

    @Test
    void readsTheWorkbenchFlags() throws UsageException {
        ClusterOptions o = parse("-w broadcast --node-count 25 --time-limit 20 --rate 100 --latency 100 "
                + "--nemesis partition --concurrency 2n --availability total --seed 9 -- broadcast,frugal");
        assertThat(o.workload()).isEqualTo("broadcast");
        assertThat(o.nodeCount()).isEqualTo(25);
        assertThat(o.timeLimitSeconds()).isEqualTo(20);
        assertThat(o.rate()).isEqualTo(100);
        assertThat(o.latencyMillis()).isEqualTo(100);
        assertThat(o.partitionNemesis()).isTrue();
        assertThat(o.concurrency()).isEqualTo(50);
        assertThat(o.availability()).isEqualTo(1.0);
        assertThat(o.seed()).isEqualTo(9);
        assertThat(o.command()).containsExactly("/repo/bin/glomers", "broadcast,frugal");
    }

    @Test
    void defaultsAreTheWorkbenchDefaults() throws UsageException {
        ClusterOptions o = parse("-w g-counter --node-count 3");
        assertThat(o.command()).containsExactly("/repo/bin/glomers", "g-counter");
        assertThat(o.concurrency()).isEqualTo(3); // 1n
        assertThat(o.rate()).isEqualTo(5);
        assertThat(o.timeLimitSeconds()).isEqualTo(60);
        assertThat(o.nemesisIntervalSeconds()).isEqualTo(10);
        assertThat(o.recoveryWaitSeconds()).isEqualTo(10);
        assertThat(o.finalQuietSeconds()).isZero();
        assertThat(o.topology()).isEqualTo("grid");
        assertThat(o.latencyDistribution()).isEqualTo(ClusterOptions.LatencyDistribution.CONSTANT);
        assertThat(o.availability()).isNull();
        assertThat(o.keyCount()).isNull();
        assertThat(o.maxTxnLength()).isEqualTo(4);
        assertThat(o.maxWritesPerKey()).isEqualTo(16);
    }

    @Test
    void readsTheTransactionWorkloadFlags() throws UsageException {
        ClusterOptions o = parse("-w echo --key-count 3 --max-txn-length 2 --max-writes-per-key 8 "
                + "--consistency-models read-committed");
        assertThat(o.keyCount()).isEqualTo(3);
        assertThat(o.maxTxnLength()).isEqualTo(2);
        assertThat(o.maxWritesPerKey()).isEqualTo(8);
        assertThat(o.consistencyModels()).containsExactly("read-committed");
    }

    @Test
    void acceptsEqualsFormAndExplicitBin() throws UsageException {
        ClusterOptions o = parse("--workload=echo --bin=./node.sh --concurrency=4 --latency-dist uniform");
        assertThat(o.command()).containsExactly("./node.sh", "echo");
        assertThat(o.concurrency()).isEqualTo(4);
        assertThat(o.latencyDistribution()).isEqualTo(ClusterOptions.LatencyDistribution.UNIFORM);
    }

    @Test
    void rejectsBadCommandLines() {
        for (String bad : List.of("", "-w nope", "-w echo --frobnicate", "-w echo --node-count 0",
                "-w echo --concurrency x", "-w echo --nemesis crash", "-w echo --nemesis kill,", "-w echo --kill-targets two",
                "-w echo --partition-targets one,halves", "-w echo --pause-targets", "-w echo --rate", "-w echo --rate -1",
                "-w broadcast --topology star", "-w echo --availability 2", "-w echo --diagram-window 3",
                "-w echo --diagram-window 2-1", "-w echo --concurrency 0n", "-w echo --final-quiet -1")) {
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(UsageException.class);
        }
    }

    @Test
    void readsTheFaultsAndTheirTargets() throws UsageException {
        ClusterOptions o = parse("-w lin-kv --nemesis kill,partition,pause --kill-targets one,all "
                + "--partition-targets majorities-ring");
        assertThat(o.faults()).containsExactly("kill", "partition", "pause");
        assertThat(o.partitionNemesis()).isTrue();
        assertThat(o.killNemesis()).isTrue();
        assertThat(o.get(ClusterOptions.KILL_TARGETS)).containsExactly("one", "all");
        assertThat(o.get(ClusterOptions.PAUSE_TARGETS)).containsExactly("one", "minority", "majority", "all");
        assertThat(o.get(ClusterOptions.PARTITION_TARGETS)).containsExactly("majorities-ring");
        assertThat(parse("-w lin-kv --nemesis kill --final-quiet 5").finalQuietSeconds()).isEqualTo(5);
        ClusterOptions none = parse("-w lin-kv");
        assertThat(none.faults()).isEmpty();
        assertThat(none.killNemesis()).isFalse();
    }

    @Test
    void readsTheDiagramWindow() throws UsageException {
        assertThat(parse("-w echo").diagramWindow()).isEqualTo(new ClusterOptions.Window(0, 1));
        assertThat(parse("-w echo --diagram-window 2.5-4").diagramWindow())
                .isEqualTo(new ClusterOptions.Window(2.5, 4));
    }

    @Test
    void helpShowsEveryFlagWithTheDefaultTheParserUses() throws UsageException {
        ClusterOptions defaults = ClusterOptions.builder("echo").build();
        for (ClusterOptions.Flag<?> flag : ClusterOptions.flags()) {
            assertThat(ClusterOptions.USAGE).contains(flag.name());
            if (flag.defaultText() != null) {
                assertThat(ClusterOptions.USAGE).contains("(default " + flag.defaultText() + ")");
                assertThat(defaults.get(flag)).as(flag.name()).isEqualTo(flag.parse(flag.defaultText()));
            }
        }
        assertThat(defaults.maxWritesPerKey()).isEqualTo(16);
    }

    @Test
    void helpPrintsUsageAndExitsWithZero() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ClusterRunner.run(new String[] {"--help"}, new PrintStream(out), System.err)).isZero();
        assertThat(out.toString()).contains("--node-count").contains("g-counter");
    }

    @Test
    void usageErrorsExitWithTwoWithoutStartingAnything() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ClusterRunner.run(new String[] {"-w", "echo", "--bogus"}, System.out, new PrintStream(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("unknown option --bogus").contains("Usage:");
    }
}
