package dev.glomers.cluster.fakes;

import dev.glomers.cluster.ClusterOptions;
import dev.glomers.host.HostClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Commands that start a fake node in a fresh JVM on this test's class path. */
public final class Fakes {

    private Fakes() {
    }

    public static List<String> command(Class<? extends FakeNode> main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The standalone node's JVM options, as the build wrote them (bin/glomers reads the same argfile).
        command.addAll(HostClient.jvmOptions(Path.of("target", "glomers").toAbsolutePath(), "node"));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
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
