package dev.glomers.testing;

import dev.glomers.cluster.ClusterOptions;
import dev.glomers.cluster.ClusterResult;
import dev.glomers.cluster.ClusterRunner;
import java.nio.file.Path;
import java.util.List;

/**
 * The product's own nodes as the workbench spawns them: the packaged jar through {@code bin/glomers}
 * (integration tests only: they need {@code target/glomers.jar} from {@code package}).
 */
public final class ProductRuns {

    public static final Path LAUNCHER = Path.of("bin", "glomers").toAbsolutePath();

    private ProductRuns() {
    }

    /** The command that starts one node with {@code profiles}. */
    public static List<String> node(String profiles) {
        return List.of(LAUNCHER.toString(), profiles);
    }

    /** One run of the local cluster runner; its progress and summary go to the test's output. */
    public static ClusterResult run(ClusterOptions options) {
        ClusterResult result = ClusterRunner.run(options, System.out);
        System.out.println(result.summary());
        return result;
    }
}
