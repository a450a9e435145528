package dev.glomers.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Everything one run needs. Flag names and defaults follow the workbench (jepsen-io/maelstrom
 * src/maelstrom/core.clj opt-spec, plus jepsen.cli test-opt-spec for --concurrency and --time-limit).
 *
 * @param command the node program and its arguments: {@code --bin} followed by the arguments after {@code --}
 * @param concurrency number of client workers (already resolved from "Nn" forms)
 * @param availability required fraction of successful client operations, or null for no requirement
 *     (1.0 for {@code --availability total})
 * @param recoveryWaitSeconds pause between healing the network and the final reads (the workbench's is 10 s)
 * @param storeDir where run directories (node logs, results) are created
 * @param keyCount --key-count for workloads with keys (txn, kafka), or null for the workload's default
 * @param maxTxnLength --max-txn-length (workbench default 4)
 * @param maxWritesPerKey --max-writes-per-key (workbench default 16)
 */
public record ClusterOptions(
        String workload,
        List<String> command,
        int nodeCount,
        double rate,
        double timeLimitSeconds,
        long latencyMillis,
        LatencyDistribution latencyDistribution,
        boolean partitionNemesis,
        double nemesisIntervalSeconds,
        int concurrency,
        Double availability,
        List<String> consistencyModels,
        String topology,
        Path resultsFile,
        boolean logStderr,
        long seed,
        double recoveryWaitSeconds,
        Path storeDir,
        Integer keyCount,
        int maxTxnLength,
        int maxWritesPerKey) {

    public ClusterOptions {
        Objects.requireNonNull(workload, "workload");
        command = List.copyOf(command);
        consistencyModels = List.copyOf(consistencyModels);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no node command");
        }
    }

    public List<String> nodeIds() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            ids.add("n" + i);
        }
        return ids;
    }

    public static Builder builder(String workload) {
        return new Builder(workload);
    }

    /** How server-to-server delays are drawn around the mean {@code --latency}. */
    public enum LatencyDistribution {
        CONSTANT, UNIFORM, EXPONENTIAL
    }

    /** A usage error: bad flag, bad value. The CLI exits with 2. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }

    public static final String USAGE = """
            Usage: glomers cluster -w WORKLOAD [options] [-- NODE_ARGS...]

            Runs WORKLOAD on N node processes like the Maelstrom workbench, then checks the history.
              -w, --workload NAME          %s
                  --bin PATH               node program (default: the launcher bin/glomers)
                  --node-count N           number of nodes n0..n(N-1) (default 1)
                  --rate R                 client requests per second, all clients together (default 5)
                  --time-limit S           seconds of client traffic (default 60)
                  --latency MS             mean server-to-server delay; clients get none (default 0)
                  --latency-dist D         constant | uniform | exponential (default constant)
                  --nemesis partition      cut the network into random partitions
                  --nemesis-interval S     mean seconds between partition changes (default 10)
                  --concurrency N|Nn       client workers; Nn means N x node-count (default 1n)
                  --availability A         total, or the minimum fraction of successful requests
                  --consistency-models M   passed to the workload's checker
                  --key-count N            keys per transaction workload (workload default)
                  --max-txn-length N       operations per transaction (default 4)
                  --max-writes-per-key N   writes per key in transaction workloads (default 16)
                  --topology T             broadcast topology: grid | line | total | tree2 | tree3 | tree4
                  --results FILE           also write the results as JSON to FILE
                  --log-stderr             echo node stderr to ours (always logged to store/<run>/nX.log)
                  --seed N                 seed for every random choice of the runner
                  --recovery-wait S        seconds between healing and the final reads (default 10)
                  --store DIR              where run directories go (default store)
              -- NODE_ARGS                 arguments for every node (default: the workload name)
            Exit code: 0 valid, 1 invalid or failed set-up, 2 usage error.
            """.formatted(String.join(" | ", WorkloadRegistry.names()));

    /** Parses the workbench-style command line. {@code defaultBin} is used when --bin is absent. */
    public static ClusterOptions parse(String[] args, Path defaultBin) throws UsageException {
        List<String[]> pairs = new ArrayList<>();
        boolean logStderr = false;
        List<String> nodeArgs = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                nodeArgs = List.of(Arrays.copyOfRange(args, i + 1, args.length));
                break;
            }
            int eq = arg.indexOf('=');
            String name = arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
            if (name.equals("-h") || name.equals("--help")) {
                throw new UsageException("");
            } else if (name.equals("--log-stderr")) {
                logStderr = true;
            } else if (VALUED_FLAGS.contains(name)) {
                String value = name.equals(arg) ? (i + 1 < args.length ? args[++i] : null) : arg.substring(eq + 1);
                if (value == null) {
                    throw new UsageException(name + " needs a value");
                }
                pairs.add(new String[] {name.equals("-w") ? "--workload" : name, value});
            } else {
                throw new UsageException("unknown option " + arg);
            }
        }
        String workload = pairs.stream().filter(p -> p[0].equals("--workload")).map(p -> p[1]).reduce((a, b) -> b)
                .orElseThrow(() -> new UsageException("missing -w/--workload"));
        if (!WorkloadRegistry.names().contains(workload)) {
            throw new UsageException("unknown workload " + workload + "; one of " + WorkloadRegistry.names());
        }
        Builder b = builder(workload).logStderr(logStderr);
        String bin = defaultBin.toString();
        String concurrency = "1n";
        for (String[] pair : pairs) {
            String flag = pair[0];
            String value = pair[1];
            switch (flag) {
                case "--bin" -> bin = value;
                case "--node-count" -> b.nodeCount(positiveInt(flag, value));
                case "--rate" -> b.rate(nonNegative(flag, value));
                case "--time-limit" -> b.timeLimitSeconds(positive(flag, value));
                case "--latency" -> b.latencyMillis((long) nonNegative(flag, value));
                case "--latency-dist" -> b.latencyDistribution(distribution(value));
                case "--nemesis" -> b.partitionNemesis(nemesis(value));
                case "--nemesis-interval" -> b.nemesisIntervalSeconds(positive(flag, value));
                case "--concurrency" -> concurrency = value;
                case "--availability" -> b.availability(availability(value));
                case "--consistency-models" -> b.consistencyModels(List.of(value.split("\\s*,\\s*")));
                case "--topology" -> b.topology(topology(value));
                case "--results" -> b.resultsFile(Path.of(value));
                case "--seed" -> b.seed(parseLong(flag, value));
                case "--recovery-wait" -> b.recoveryWaitSeconds(nonNegative(flag, value));
                case "--store" -> b.storeDir(Path.of(value));
                case "--key-count" -> b.keyCount(positiveInt(flag, value));
                case "--max-txn-length" -> b.maxTxnLength(positiveInt(flag, value));
                case "--max-writes-per-key" -> b.maxWritesPerKey(positiveInt(flag, value));
                default -> {
                    // --workload, handled above
                }
            }
        }
        b.concurrency(concurrency(concurrency, b.nodeCount));
        List<String> command = new ArrayList<>();
        command.add(bin);
        command.addAll(nodeArgs != null ? nodeArgs : WorkloadRegistry.create(workload).nodeArgs());
        return b.command(command).build();
    }

    private static final List<String> VALUED_FLAGS = List.of("-w", "--workload", "--bin", "--node-count", "--rate",
            "--time-limit", "--latency", "--latency-dist", "--nemesis", "--nemesis-interval", "--concurrency",
            "--availability", "--consistency-models", "--topology", "--results", "--seed", "--recovery-wait",
            "--store", "--key-count", "--max-txn-length", "--max-writes-per-key");

    /** Resolves "3" or "2n" (2 x node count), as jepsen.cli parse-concurrency does. */
    static int concurrency(String spec, int nodeCount) throws UsageException {
        if (!spec.matches("\\d+n?")) {
            throw new UsageException("--concurrency must be an integer, optionally followed by n: " + spec);
        }
        int factor = spec.endsWith("n") ? nodeCount : 1;
        int n = Integer.parseInt(spec.replace("n", "")) * factor;
        if (n <= 0) {
            throw new UsageException("--concurrency must be positive");
        }
        return n;
    }

    private static Double availability(String value) throws UsageException {
        if (value.equals("total")) {
            return 1.0;
        }
        double a = nonNegative("--availability", value);
        if (a > 1) {
            throw new UsageException("--availability must be total or a fraction between 0 and 1");
        }
        return a;
    }

    private static boolean nemesis(String value) throws UsageException {
        for (String fault : value.split("\\s*,\\s*")) {
            if (!fault.equals("partition")) {
                throw new UsageException("--nemesis: only partition is supported, not " + fault);
            }
        }
        return true;
    }

    private static String topology(String value) throws UsageException {
        if (!Topologies.NAMES.contains(value)) {
            throw new UsageException("--topology must be one of " + Topologies.NAMES);
        }
        return value;
    }

    private static LatencyDistribution distribution(String value) throws UsageException {
        try {
            return LatencyDistribution.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--latency-dist must be constant, uniform or exponential");
        }
    }

    private static double number(String flag, String value) throws UsageException {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " expects a number, not " + value);
        }
    }

    private static double nonNegative(String flag, String value) throws UsageException {
        double d = number(flag, value);
        if (d < 0) {
            throw new UsageException(flag + " can't be negative");
        }
        return d;
    }

    private static double positive(String flag, String value) throws UsageException {
        double d = number(flag, value);
        if (d <= 0) {
            throw new UsageException(flag + " must be positive");
        }
        return d;
    }

    private static int positiveInt(String flag, String value) throws UsageException {
        long n = parseLong(flag, value);
        if (n <= 0 || n > 1_000_000) {
            throw new UsageException(flag + " must be a positive integer");
        }
        return (int) n;
    }

    private static long parseLong(String flag, String value) throws UsageException {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " expects an integer, not " + value);
        }
    }

    /** Builder with the workbench's defaults; tests set only what they care about. */
    public static final class Builder {
        private final String workload;
        private List<String> command = List.of("bin/glomers");
        private int nodeCount = 1;
        private double rate = 5;
        private double timeLimitSeconds = 60;
        private long latencyMillis = 0;
        private LatencyDistribution latencyDistribution = LatencyDistribution.CONSTANT;
        private boolean partitionNemesis = false;
        private double nemesisIntervalSeconds = 10;
        private Integer concurrency = null;
        private Double availability = null;
        private List<String> consistencyModels = List.of();
        private String topology = "grid";
        private Path resultsFile = null;
        private boolean logStderr = false;
        private long seed = System.nanoTime();
        private double recoveryWaitSeconds = 10;
        private Path storeDir = Path.of("store");
        private Integer keyCount = null;
        private int maxTxnLength = 4;
        private int maxWritesPerKey = 16;

        private Builder(String workload) {
            this.workload = workload;
        }

        public Builder command(List<String> command) {
            this.command = command;
            return this;
        }

        public Builder nodeCount(int nodeCount) {
            this.nodeCount = nodeCount;
            return this;
        }

        public Builder rate(double rate) {
            this.rate = rate;
            return this;
        }

        public Builder timeLimitSeconds(double seconds) {
            this.timeLimitSeconds = seconds;
            return this;
        }

        public Builder latencyMillis(long millis) {
            this.latencyMillis = millis;
            return this;
        }

        public Builder latencyDistribution(LatencyDistribution distribution) {
            this.latencyDistribution = distribution;
            return this;
        }

        public Builder partitionNemesis(boolean on) {
            this.partitionNemesis = on;
            return this;
        }

        public Builder nemesisIntervalSeconds(double seconds) {
            this.nemesisIntervalSeconds = seconds;
            return this;
        }

        /** Client workers; defaults to one per node ("1n"). */
        public Builder concurrency(int concurrency) {
            this.concurrency = concurrency;
            return this;
        }

        public Builder availability(Double availability) {
            this.availability = availability;
            return this;
        }

        public Builder consistencyModels(List<String> models) {
            this.consistencyModels = models;
            return this;
        }

        public Builder topology(String topology) {
            this.topology = topology;
            return this;
        }

        public Builder resultsFile(Path file) {
            this.resultsFile = file;
            return this;
        }

        public Builder logStderr(boolean on) {
            this.logStderr = on;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder recoveryWaitSeconds(double seconds) {
            this.recoveryWaitSeconds = seconds;
            return this;
        }

        public Builder storeDir(Path dir) {
            this.storeDir = dir;
            return this;
        }

        public Builder keyCount(Integer keyCount) {
            this.keyCount = keyCount;
            return this;
        }

        public Builder maxTxnLength(int maxTxnLength) {
            this.maxTxnLength = maxTxnLength;
            return this;
        }

        public Builder maxWritesPerKey(int maxWritesPerKey) {
            this.maxWritesPerKey = maxWritesPerKey;
            return this;
        }

        public ClusterOptions build() {
            return new ClusterOptions(workload, command, nodeCount, rate, timeLimitSeconds, latencyMillis,
                    latencyDistribution, partitionNemesis, nemesisIntervalSeconds,
                    concurrency != null ? concurrency : nodeCount, availability, consistencyModels, topology,
                    resultsFile, logStderr, seed, recoveryWaitSeconds, storeDir, keyCount, maxTxnLength,
                    maxWritesPerKey);
        }
    }
}
