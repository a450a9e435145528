package dev.glomers.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one run needs. Flag names and defaults follow the workbench (jepsen-io/maelstrom
 * src/maelstrom/core.clj opt-spec, plus jepsen.cli test-opt-spec for --concurrency and --time-limit).
 *
 * <p>Every flag is one line of the table below: its name, argument, default (written as it would be
 * typed), help text and parser. Parsing, the defaults of {@link #builder} and {@code --help} all come
 * from that table. A workload reads a flag with a typed accessor or with {@link #get(Flag)}.
 */
public final class ClusterOptions {

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

    /** Reads a flag's value from its command-line text. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(String flag, String text) throws UsageException;
    }

    /**
     * One command-line flag. {@code defaultText} is the default as typed on the command line (parsed
     * like any value), or null when the flag has no default; a null {@code arg} marks a switch.
     */
    public record Flag<T>(String name, String shortName, String arg, String defaultText, String help,
            Parser<T> parser) {

        T parse(String text) throws UsageException {
            return parser.parse(name, text);
        }

        String defaultHelp() {
            return defaultText == null ? "" : " (default " + defaultText + ")";
        }
    }

    private static final List<Flag<?>> TABLE = new ArrayList<>();

    // The table. Order is the order of --help.
    public static final Flag<String> WORKLOAD = flag("--workload", "-w", "NAME", null, "one of: " + String.join(" | ", WorkloadRegistry.names()), ClusterOptions::workloadName);
    public static final Flag<String> BIN = flag("--bin", null, "PATH", null, "node program (default: the launcher bin/glomers)", (f, v) -> v);
    public static final Flag<Integer> NODE_COUNT = flag("--node-count", null, "N", "1", "number of nodes n0..n(N-1)", ClusterOptions::positiveInt);
    public static final Flag<Double> RATE = flag("--rate", null, "R", "5", "client requests per second, all clients together", ClusterOptions::nonNegative);
    public static final Flag<Double> TIME_LIMIT = flag("--time-limit", null, "S", "60", "seconds of client traffic", ClusterOptions::positive);
    public static final Flag<Long> LATENCY = flag("--latency", null, "MS", "0", "mean server-to-server delay; clients get none", (f, v) -> (long) nonNegative(f, v));
    public static final Flag<LatencyDistribution> LATENCY_DIST = flag("--latency-dist", null, "D", "constant", "constant | uniform | exponential", ClusterOptions::distribution);
    public static final Flag<List<String>> NEMESIS = flag("--nemesis", null, "F,..", null, "faults, any of: " + String.join(", ", Faults.KINDS) + " (docs/faults.md)", (f, v) -> names(f, v, Faults.KINDS));
    public static final Flag<Double> NEMESIS_INTERVAL = flag("--nemesis-interval", null, "S", "10", "mean seconds between fault changes", ClusterOptions::positive);
    public static final Flag<Double> FINAL_QUIET = flag("--final-quiet", null, "S", "0", "end every fault S seconds before the clients stop, so the last all-clear's recovery is measured (docs/faults.md)", ClusterOptions::nonNegative);
    public static final Flag<List<String>> KILL_TARGETS = flag("--kill-targets", null, "T,..", String.join(",", Faults.NODE_TARGETS), "which nodes a kill takes, drawn at random: " + String.join(" | ", Faults.NODE_TARGETS), (f, v) -> names(f, v, Faults.NODE_TARGETS));
    public static final Flag<List<String>> PAUSE_TARGETS = flag("--pause-targets", null, "T,..", String.join(",", Faults.NODE_TARGETS), "which nodes a pause takes, likewise", (f, v) -> names(f, v, Faults.NODE_TARGETS));
    public static final Flag<List<String>> PARTITION_TARGETS = flag("--partition-targets", null, "T,..", String.join(",", Partitions.SPECS), "partition specs drawn at random: " + String.join(" | ", Partitions.SPECS), (f, v) -> names(f, v, Partitions.SPECS));
    public static final Flag<String> CONCURRENCY = flag("--concurrency", null, "N|Nn", "1n", "client workers; Nn means N x node-count", ClusterOptions::concurrencySpec);
    public static final Flag<Double> AVAILABILITY = flag("--availability", null, "A", null, "total, or the minimum fraction of successful requests", ClusterOptions::availability);
    public static final Flag<List<String>> CONSISTENCY_MODELS = flag("--consistency-models", null, "M,..", null, "passed to the workload's checker", (f, v) -> List.of(v.split("\\s*,\\s*")));
    public static final Flag<Integer> KEY_COUNT = flag("--key-count", null, "N", null, "keys per transaction workload (default: the workload's)", ClusterOptions::positiveInt);
    public static final Flag<Integer> MAX_TXN_LENGTH = flag("--max-txn-length", null, "N", "4", "operations per transaction", ClusterOptions::positiveInt);
    public static final Flag<Integer> MAX_WRITES_PER_KEY = flag("--max-writes-per-key", null, "N", "16", "writes per key in transaction workloads", ClusterOptions::positiveInt);
    public static final Flag<String> TOPOLOGY = flag("--topology", null, "T", "grid", "broadcast topology: " + String.join(" | ", Topologies.NAMES), ClusterOptions::topology);
    public static final Flag<Path> RESULTS = flag("--results", null, "FILE", null, "also write the results as JSON to FILE", (f, v) -> Path.of(v));
    public static final Flag<Boolean> LOG_STDERR = flag("--log-stderr", null, null, null, "echo node stderr to ours (always logged to store/<run>/nX.log)", (f, v) -> true);
    public static final Flag<Long> SEED = flag("--seed", null, "N", null, "seed for every random choice of the runner (default: random)", ClusterOptions::parseLong);
    public static final Flag<Double> RECOVERY_WAIT = flag("--recovery-wait", null, "S", "10", "seconds between healing and the final reads", ClusterOptions::nonNegative);
    public static final Flag<Path> STORE = flag("--store", null, "DIR", "store", "where run directories go", (f, v) -> Path.of(v));
    public static final Flag<Window> DIAGRAM_WINDOW = flag("--diagram-window", null, "FROM-TO", "0-1", "seconds of the client phase drawn in report.html's message diagram", ClusterOptions::window);

    private static <T> Flag<T> flag(String name, String shortName, String arg, String defaultText, String help,
            Parser<T> parser) {
        Flag<T> flag = new Flag<>(name, shortName, arg, defaultText, help, parser);
        TABLE.add(flag);
        return flag;
    }

    /** The flags in --help order. */
    public static List<Flag<?>> flags() {
        return Collections.unmodifiableList(TABLE);
    }

    public static final String USAGE = usage();

    private static String usage() {
        StringBuilder s = new StringBuilder("""
                Usage: glomers cluster -w WORKLOAD [options] [-- NODE_ARGS...]

                Runs WORKLOAD on N node processes like the Maelstrom workbench, then checks the history.
                """);
        for (Flag<?> flag : TABLE) {
            String names = (flag.shortName() != null ? flag.shortName() + ", " : "    ") + flag.name()
                    + (flag.arg() != null ? " " + flag.arg() : "");
            s.append(String.format(Locale.ROOT, "  %-30s %s%s%n", names, flag.help(), flag.defaultHelp()));
        }
        s.append(String.format(Locale.ROOT, "  %-30s %s%n", "-- NODE_ARGS", "arguments for every node (default: the workload name)"));
        s.append("Writes store/WORKLOAD/TIME/: node logs, history.jsonl, results.json and report.html.\n");
        s.append("Exit code: 0 valid, 1 invalid or failed set-up, 2 usage error.\n");
        return s.toString();
    }

    private final Map<Flag<?>, Object> values;
    private final List<String> command;
    private final long seed;

    private ClusterOptions(Map<Flag<?>, Object> values, List<String> command, long seed) {
        this.values = Map.copyOf(values);
        this.command = List.copyOf(command);
        this.seed = seed;
        Objects.requireNonNull(values.get(WORKLOAD), "workload");
        if (this.command.isEmpty()) {
            throw new IllegalArgumentException("no node command");
        }
    }

    /** The flag's value: given, else its default; null when neither. */
    @SuppressWarnings("unchecked")
    public <T> T get(Flag<T> flag) {
        return (T) values.get(flag);
    }

    public String workload() {
        return get(WORKLOAD);
    }

    /** The node program and its arguments: --bin followed by the arguments after "--". */
    public List<String> command() {
        return command;
    }

    public int nodeCount() {
        return get(NODE_COUNT);
    }

    public double rate() {
        return get(RATE);
    }

    public double timeLimitSeconds() {
        return get(TIME_LIMIT);
    }

    public long latencyMillis() {
        return get(LATENCY);
    }

    public LatencyDistribution latencyDistribution() {
        return get(LATENCY_DIST);
    }

    /** The faults of --nemesis, in the order given; empty for none. */
    public List<String> faults() {
        List<String> faults = get(NEMESIS);
        return faults == null ? List.of() : faults;
    }

    public boolean partitionNemesis() {
        return faults().contains(Faults.PARTITION);
    }

    /** A run with kill gives each node a data directory (GLOMERS_DATA_DIR) that outlives its process. */
    public boolean killNemesis() {
        return faults().contains(Faults.KILL);
    }

    public double nemesisIntervalSeconds() {
        return get(NEMESIS_INTERVAL);
    }

    /** Client workers, resolved from "N" or "Nn" (N x node count) as jepsen.cli parse-concurrency does. */
    public int concurrency() {
        String spec = get(CONCURRENCY);
        return Integer.parseInt(spec.replace("n", "")) * (spec.endsWith("n") ? nodeCount() : 1);
    }

    /** Required fraction of successful client operations, or null for none (1.0 for "total"). */
    public Double availability() {
        return get(AVAILABILITY);
    }

    public List<String> consistencyModels() {
        List<String> models = get(CONSISTENCY_MODELS);
        return models == null ? List.of() : models;
    }

    public String topology() {
        return get(TOPOLOGY);
    }

    public Path resultsFile() {
        return get(RESULTS);
    }

    public boolean logStderr() {
        return Boolean.TRUE.equals(get(LOG_STDERR));
    }

    public long seed() {
        return seed;
    }

    /** Pause between healing the network and the final reads (the workbench's is 10 s). */
    /** Seconds at the end of the client phase with every fault ended (0: faults go on to the end). */
    public double finalQuietSeconds() {
        return get(FINAL_QUIET);
    }

    public double recoveryWaitSeconds() {
        return get(RECOVERY_WAIT);
    }

    /** Where run directories (node logs, history, results, report) are created. */
    public Path storeDir() {
        return get(STORE);
    }

    /** Keys for workloads with keys (txn, kafka), or null for the workload's default. */
    public Integer keyCount() {
        return get(KEY_COUNT);
    }

    public int maxTxnLength() {
        return get(MAX_TXN_LENGTH);
    }

    public int maxWritesPerKey() {
        return get(MAX_WRITES_PER_KEY);
    }

    /** The time window, in seconds of the client phase, of the report's message diagram. */
    public Window diagramWindow() {
        return get(DIAGRAM_WINDOW);
    }

    public List<String> nodeIds() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < nodeCount(); i++) {
            ids.add("n" + i);
        }
        return ids;
    }

    /** A span of seconds since the start of the client phase. */
    public record Window(double fromSeconds, double toSeconds) {
        public long fromNanos() {
            return (long) (fromSeconds * 1e9);
        }

        public long toNanos() {
            return (long) (toSeconds * 1e9);
        }
    }

    public static Builder builder(String workload) {
        return new Builder(workload);
    }

    /** Parses the workbench-style command line. {@code defaultBin} is used when --bin is absent. */
    public static ClusterOptions parse(String[] args, Path defaultBin) throws UsageException {
        Map<String, Flag<?>> byName = new HashMap<>();
        for (Flag<?> flag : TABLE) {
            byName.put(flag.name(), flag);
            if (flag.shortName() != null) {
                byName.put(flag.shortName(), flag);
            }
        }
        Map<Flag<?>, Object> given = new HashMap<>();
        List<String> nodeArgs = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                nodeArgs = List.of(Arrays.copyOfRange(args, i + 1, args.length));
                break;
            }
            if (arg.equals("-h") || arg.equals("--help")) {
                throw new UsageException("");
            }
            int eq = arg.indexOf('=');
            String name = arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
            Flag<?> flag = byName.get(name);
            if (flag == null) {
                throw new UsageException("unknown option " + arg);
            }
            String text;
            if (flag.arg() == null) {
                text = "";
            } else if (!name.equals(arg)) {
                text = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                text = args[++i];
            } else {
                throw new UsageException(name + " needs a value");
            }
            given.put(flag, flag.parse(text));
        }
        if (!given.containsKey(WORKLOAD)) {
            throw new UsageException("missing -w/--workload");
        }
        Builder b = new Builder((String) given.get(WORKLOAD));
        b.values.putAll(given);
        Object bin = given.getOrDefault(BIN, defaultBin.toString());
        List<String> command = new ArrayList<>();
        command.add(bin.toString());
        command.addAll(nodeArgs != null ? nodeArgs : WorkloadRegistry.create(b.workload()).nodeArgs());
        return b.command(command).build();
    }

    // --- parsers ---

    private static String workloadName(String flag, String value) throws UsageException {
        if (!WorkloadRegistry.names().contains(value)) {
            throw new UsageException("unknown workload " + value + "; one of " + WorkloadRegistry.names());
        }
        return value;
    }

    private static String concurrencySpec(String flag, String spec) throws UsageException {
        if (!spec.matches("\\d+n?") || Integer.parseInt(spec.replace("n", "")) <= 0) {
            throw new UsageException(flag + " must be a positive integer, optionally followed by n: " + spec);
        }
        return spec;
    }

    private static Double availability(String flag, String value) throws UsageException {
        if (value.equals("total")) {
            return 1.0;
        }
        double a = nonNegative(flag, value);
        if (a > 1) {
            throw new UsageException(flag + " must be total or a fraction between 0 and 1");
        }
        return a;
    }

    /** A comma list of names, each one of {@code allowed}, none twice, at least one. */
    private static List<String> names(String flag, String value, List<String> allowed) throws UsageException {
        List<String> names = new ArrayList<>();
        for (String name : value.trim().split("\\s*,\\s*", -1)) {
            if (!allowed.contains(name)) {
                throw new UsageException(flag + ": " + (name.isEmpty() ? "empty list" : "unknown " + name)
                        + "; any of " + String.join(", ", allowed));
            }
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return List.copyOf(names);
    }

    private static String topology(String flag, String value) throws UsageException {
        if (!Topologies.NAMES.contains(value)) {
            throw new UsageException(flag + " must be one of " + Topologies.NAMES);
        }
        return value;
    }

    private static LatencyDistribution distribution(String flag, String value) throws UsageException {
        try {
            return LatencyDistribution.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException(flag + " must be constant, uniform or exponential");
        }
    }

    private static Window window(String flag, String value) throws UsageException {
        int dash = value.indexOf('-', 1);
        if (dash < 0) {
            throw new UsageException(flag + " expects FROM-TO in seconds, e.g. 2-3, not " + value);
        }
        double from = nonNegative(flag, value.substring(0, dash));
        double to = positive(flag, value.substring(dash + 1));
        if (to <= from) {
            throw new UsageException(flag + ": TO must be after FROM, not " + value);
        }
        return new Window(from, to);
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

    /** Starts from the table's defaults; tests and code set only what they care about. */
    public static final class Builder {
        private final Map<Flag<?>, Object> values = new HashMap<>();
        private List<String> command = List.of("bin/glomers");

        private Builder(String workload) {
            for (Flag<?> flag : TABLE) {
                if (flag.defaultText() != null) {
                    try {
                        values.put(flag, flag.parse(flag.defaultText()));
                    } catch (UsageException e) {
                        throw new IllegalStateException("bad default in the flag table: " + flag.name(), e);
                    }
                }
            }
            values.put(WORKLOAD, Objects.requireNonNull(workload, "workload"));
        }

        private String workload() {
            return (String) values.get(WORKLOAD);
        }

        /** Sets any flag (null removes it); the typed setters below are shorthands. */
        public <T> Builder set(Flag<T> flag, T value) {
            if (value == null) {
                values.remove(flag);
            } else {
                values.put(flag, value);
            }
            return this;
        }

        public Builder command(List<String> command) {
            this.command = command;
            return this;
        }

        public Builder nodeCount(int nodeCount) {
            return set(NODE_COUNT, nodeCount);
        }

        public Builder rate(double rate) {
            return set(RATE, rate);
        }

        public Builder timeLimitSeconds(double seconds) {
            return set(TIME_LIMIT, seconds);
        }

        public Builder latencyMillis(long millis) {
            return set(LATENCY, millis);
        }

        public Builder latencyDistribution(LatencyDistribution distribution) {
            return set(LATENCY_DIST, distribution);
        }

        public Builder partitionNemesis(boolean on) {
            return set(NEMESIS, on ? List.of(Faults.PARTITION) : null);
        }

        /** --nemesis with these faults (kill, pause, partition); none clears it. */
        public Builder nemesis(String... faults) {
            return set(NEMESIS, faults.length == 0 ? null : List.of(faults));
        }

        public Builder nemesisIntervalSeconds(double seconds) {
            return set(NEMESIS_INTERVAL, seconds);
        }

        /** Client workers; the default is one per node ("1n"). */
        public Builder concurrency(int concurrency) {
            return set(CONCURRENCY, String.valueOf(concurrency));
        }

        public Builder availability(Double availability) {
            return set(AVAILABILITY, availability);
        }

        public Builder consistencyModels(List<String> models) {
            return set(CONSISTENCY_MODELS, List.copyOf(models));
        }

        public Builder topology(String topology) {
            return set(TOPOLOGY, topology);
        }

        public Builder resultsFile(Path file) {
            return set(RESULTS, file);
        }

        public Builder logStderr(boolean on) {
            return set(LOG_STDERR, on);
        }

        public Builder seed(long seed) {
            return set(SEED, seed);
        }

        public Builder finalQuietSeconds(double seconds) {
            return set(FINAL_QUIET, seconds);
        }

        public Builder recoveryWaitSeconds(double seconds) {
            return set(RECOVERY_WAIT, seconds);
        }

        public Builder storeDir(Path dir) {
            return set(STORE, dir);
        }

        public Builder keyCount(Integer keyCount) {
            return set(KEY_COUNT, keyCount);
        }

        public Builder maxTxnLength(int maxTxnLength) {
            return set(MAX_TXN_LENGTH, maxTxnLength);
        }

        public Builder maxWritesPerKey(int maxWritesPerKey) {
            return set(MAX_WRITES_PER_KEY, maxWritesPerKey);
        }

        public Builder diagramWindow(Window window) {
            return set(DIAGRAM_WINDOW, window);
        }

        public ClusterOptions build() {
            Long seed = (Long) values.get(SEED);
            return new ClusterOptions(values, command, seed != null ? seed : System.nanoTime());
        }
    }
}
