package dev.glomers.cluster;

import dev.glomers.cluster.ClusterOptions.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The local cluster runner: a stand-in for the Maelstrom workbench that runs a workload on real node
 * processes and checks it the same way. {@code glomers cluster -w broadcast --node-count 5 ...}.
 * Plain Java, no Spring: it starts in a fraction of a second.
 */
public final class ClusterRunner {

    private ClusterRunner() {
    }

    public static void main(String[] args) {
        // A tool, not a node: its stdout is the report a person reads, never a node's wire.
        System.exit(run(args, System.out, System.err));
    }

    /** The CLI: 0 valid (or unknown), 1 invalid or failed set-up, 2 usage error. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        ClusterOptions options;
        try {
            options = ClusterOptions.parse(args, defaultBin());
        } catch (UsageException e) {
            if (e.getMessage().isEmpty()) {
                out.print(ClusterOptions.USAGE);
                return 0;
            }
            err.println("glomers cluster: " + e.getMessage());
            err.print(ClusterOptions.USAGE);
            return 2;
        }
        ClusterResult result;
        try (Progress progress = Progress.forStderr(err)) {
            result = new ClusterRun(options, progress).execute();
        }
        out.print(result.summary());
        if (options.resultsFile() != null) {
            try {
                result.writeJson(options.resultsFile());
            } catch (IOException e) {
                err.println("glomers cluster: could not write " + options.resultsFile() + ": " + e.getMessage());
            }
        }
        return result.isValid() ? 0 : 1;
    }

    /**
     * Runs one test; progress lines go to {@code log}. Writes history.jsonl, results.json and report.html
     * into the run directory.
     */
    public static ClusterResult run(ClusterOptions options, PrintStream log) {
        try (Progress progress = Progress.plain(log)) {
            return new ClusterRun(options, progress).execute();
        }
    }

    /**
     * The launcher next to the code: {@code <repo>/bin/glomers} when running from {@code <repo>/target}
     * (classes or the packaged jar), else {@code bin/glomers} in the working directory. The system
     * property {@code glomers.home} overrides the repository root.
     */
    static Path defaultBin() {
        String home = System.getProperty("glomers.home");
        if (home != null) {
            return Path.of(home, "bin", "glomers");
        }
        try {
            String location = URLDecoder.decode(
                    ClusterRunner.class.getProtectionDomain().getCodeSource().getLocation().toString(),
                    StandardCharsets.UTF_8);
            int target = location.indexOf("/target/");
            int slash = location.indexOf('/');
            if (target > 0 && slash >= 0) {
                Path launcher = Path.of(location.substring(slash, target), "bin", "glomers");
                if (Files.isExecutable(launcher)) {
                    return launcher;
                }
            }
        } catch (RuntimeException e) {
            // no usable code source: fall back to the working directory
        }
        return Path.of("bin", "glomers");
    }
}
