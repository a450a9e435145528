package dev.glomers.cluster.fakes;

import dev.glomers.cluster.ClusterOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Commands that start a fake node in a fresh JVM on this test's class path. */
public final class Fakes {

    private Fakes() {
    }

    public static List<String> command(Class<? extends FakeNode> main, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xss512k",
                // As bin/glomers does: JVM warnings (e.g. a locked hsperfdata file) would land on stdout, the wire.
                "-XX:-UsePerfData", "-Xlog:disable", "-Xlog:all=warning:stderr",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** A short run of {@code workload} on a fake node: 1 s recovery wait, fixed seed. */
    public static ClusterOptions.Builder options(String workload, Path store, Class<? extends FakeNode> main,
            String... args) {
        return ClusterOptions.builder(workload).command(command(main, args)).storeDir(store)
                .recoveryWaitSeconds(1).seed(20261126L).timeLimitSeconds(2).rate(20);
    }
}
