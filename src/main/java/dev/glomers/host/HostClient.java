package dev.glomers.host;

import java.io.DataInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Java thin client: in host mode ({@code bin/glomers PROFILES}) it connects to the warm node host
 * of this build, starting one if none runs, asks it for a new node, and then only forwards bytes:
 * stdin to the node, the node's stdout and stderr (framed on the one socket) to its own. When stdin
 * ends or this process dies, the socket closes and the host closes the node at once.
 *
 * <p>It runs on a plain JVM with no Spring and no logging library (a handful of JDK classes, from a
 * class-data archive of its own): ~80 ms of CPU. Where Perl is installed, bin/glomers uses the
 * Perl forwarder {@code bin/glomers-forward} instead (~10 ms), which speaks the same protocol and
 * calls {@code --start-host} here only when it finds no host. So starting the host, with its start
 * lock, lives in one place: {@link #startOrJoin}. The jar's entry point {@link JarMain} runs a node
 * through {@link #runNode} too.
 *
 * <p>Flow control: stdin goes up the socket from a thread of its own, one 64 KB buffer at a time,
 * while this thread reads the frames coming back, so a node that writes much while its input still
 * arrives never waits for us; and when our stdout is not read, we stop reading frames, the host
 * stops the node reading, and our stdin thread stops in its write (see {@link FrameQueue}).
 */
public final class HostClient {

    /** How long the host stays up with no node, e.g. {@code 60s}, {@code 500ms} (given to a host it starts). */
    public static final String QUIET_ENV = "GLOMERS_HOST_QUIET";
    /** Extra JVM options for a host this client starts (the build's archive training uses it). */
    public static final String HOST_JAVA_OPTS_ENV = "GLOMERS_HOST_JAVA_OPTS";

    static final Duration DEFAULT_QUIET = Duration.ofSeconds(60);
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final int CONNECT_ATTEMPTS = 5;

    /** Starts a host for {@code paths}; what it returns must say whether the host is still alive. */
    @FunctionalInterface
    public interface HostStarter {
        ProcessHandle start(HostPaths paths) throws IOException;
    }

    /** A connection the host accepted: the socket and the frames coming back on it. */
    public record Connection(SocketChannel channel, DataInputStream frames) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private HostClient() {
    }

    /**
     * {@code -Dglomers.root=REPO -Dglomers.host.key=KEY HostClient PROFILES [SPRING_ARGS...]}: one node.
     * {@code ... HostClient --start-host}: only makes sure the host runs (the Perl forwarder calls this
     * when it finds no host, holding its own start lock). bin/glomers sets both properties.
     */
    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: bin/glomers PROFILES [SPRING_ARGS...]");
            System.exit(2);
        }
        Path appDir = Path.of(System.getProperty("glomers.root", "."), "target", "glomers");
        String key = System.getProperty("glomers.host.key");
        if (key == null || key.isBlank()) {
            System.err.println("glomers: no -Dglomers.host.key given (bin/glomers reads it from target/glomers/build-id)");
            System.exit(2);
        }
        if (args[0].equals("--start-host")) {
            int status;
            try {
                HostPaths paths = new HostPaths(HostPaths.defaultDir(), key);
                paths.ensurePrivateDir();
                startOrJoin(paths, starter(appDir), System.err, START_TIMEOUT).close();
                status = 0;
            } catch (IOException | RuntimeException e) {
                System.err.println("glomers: " + e.getMessage() + " (GLOMERS_HOST=off runs the node in a JVM of its own)");
                status = 1;
            }
            System.exit(status);
        }
        System.exit(runNode(appDir, key, List.of(args)));
    }

    /**
     * One node in the host of the build prepared in {@code appDir} (target/glomers), started if none
     * runs: {@code args} are the profiles and then Spring arguments. Forwards this process's stdin,
     * stdout and stderr; returns the node's exit status. Failures to reach the host are one line on
     * stderr and status 1.
     */
    static int runNode(Path appDir, String key, List<String> args) {
        try {
            HostPaths paths = new HostPaths(HostPaths.defaultDir(), key);
            paths.ensurePrivateDir();
            HostProtocol.Hello hello = new HostProtocol.Hello(key, withDataDir(args, System.getenv(DATA_DIR_ENV)));
            try (Connection connection = connect(paths, hello, starter(appDir), System.err, START_TIMEOUT)) {
                Upstream upstream = new Upstream(connection.channel());
                pauseOnSignal(upstream);
                return pump(connection, upstream, new FileInputStream(FileDescriptor.in),
                        new FileOutputStream(FileDescriptor.out), new FileOutputStream(FileDescriptor.err),
                        new Runnable() { // not a lambda, see main
                            @Override
                            public void run() {
                                stopThenResume(upstream);
                            }
                        });
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("glomers: " + e.getMessage() + " (GLOMERS_HOST=off runs the node in a JVM of its own)");
            return 1;
        }
    }

    /** Where a run with the kill fault keeps a node's durable state; the host-side node gets it as an argument. */
    public static final String DATA_DIR_ENV = "GLOMERS_DATA_DIR";
    static final String DATA_DIR_ARG = "--glomers.data-dir=";

    /** The node's arguments plus {@code --glomers.data-dir=DIR} when {@code dataDir} is set and none is given. */
    static List<String> withDataDir(List<String> args, String dataDir) {
        if (dataDir == null || dataDir.isBlank()) {
            return args;
        }
        for (String arg : args) {
            if (arg.startsWith(DATA_DIR_ARG)) {
                return args;
            }
        }
        List<String> more = new ArrayList<>(args);
        more.add(DATA_DIR_ARG + dataDir);
        return more;
    }

    /** SIGTSTP (the runner's pause) asks the host to hold the node; see {@link #stopThenResume}. */
    private static void pauseOnSignal(Upstream upstream) {
        sun.misc.Signal.handle(new sun.misc.Signal("TSTP"), new sun.misc.SignalHandler() {
            @Override
            public void handle(sun.misc.Signal signal) {
                try {
                    upstream.pause();
                } catch (IOException e) {
                    // the host is gone; the frame reader notices
                }
            }
        });
    }

    /**
     * The host holds the node (PAUSED came): stop this process (SIGSTOP, which only a signal from outside
     * can undo) and, once continued, let the node go.
     */
    private static void stopThenResume(Upstream upstream) {
        try {
            Process stop = new ProcessBuilder("kill", "-s", "STOP", Long.toString(ProcessHandle.current().pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            stop.waitFor(); // returns once we are continued: the kill ended while we were stopped
            upstream.resume();
        } catch (IOException e) {
            // the host is gone; the frame reader notices
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the host of the build in {@code appDir} on this JVM's JDK. */
    private static HostStarter starter(Path appDir) {
        String javaHome = System.getProperty("java.home");
        return new HostStarter() { // not a lambda: bootstrapping one costs the client ~10 ms
            @Override
            public ProcessHandle start(HostPaths hostPaths) throws IOException {
                return startHostProcess(hostPaths, javaHome, appDir, appDir.resolve("glomers.jar").toString(),
                        quietPeriod(System.getenv(QUIET_ENV)));
            }
        };
    }

    /**
     * Connects to the build's host and has it accept a new node, starting the host first when none
     * answers. Exactly one client starts it: the others wait on the lock file, then connect.
     * A host that is shutting down closes the socket before accepting; then we try again.
     */
    public static Connection connect(HostPaths paths, HostProtocol.Hello hello, HostStarter starter,
                                     PrintStream messages, Duration startTimeout) throws IOException {
        for (int attempt = 1; ; attempt++) {
            SocketChannel channel = tryConnect(paths.socket());
            if (channel == null) {
                channel = startOrJoin(paths, starter, messages, startTimeout);
            }
            Connection accepted = handshake(channel, hello);
            if (accepted != null) {
                return accepted;
            }
            if (attempt == CONNECT_ATTEMPTS) {
                throw new IOException("the node host at " + paths.socket() + " keeps closing new connections");
            }
        }
    }

    /** Sends hello; returns the connection once accepted, null if the host closed it unanswered. */
    static Connection handshake(SocketChannel channel, HostProtocol.Hello hello) throws IOException {
        DataInputStream frames = new DataInputStream(HostProtocol.inputOf(channel));
        HostProtocol.Frame answer;
        try {
            hello.writeTo(HostProtocol.outputOf(channel));
            answer = HostProtocol.readFrame(frames);
        } catch (IOException closing) {
            answer = null;
        }
        if (answer != null && answer.channel() == HostProtocol.ACCEPTED) {
            return new Connection(channel, frames);
        }
        channel.close();
        if (answer != null && answer.channel() == HostProtocol.REJECTED) {
            throw new IOException("the node host refused: " + new String(answer.payload(), StandardCharsets.UTF_8));
        }
        return null;
    }

    /** A connection to the running host, started by us if none answers. */
    static SocketChannel startOrJoin(HostPaths paths, HostStarter starter, PrintStream messages,
                                     Duration startTimeout) throws IOException {
        try (FileChannel lockFile = FileChannel.open(paths.startLock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            // Whoever held the lock before us may have started the host already.
            SocketChannel channel = tryConnect(paths.socket());
            if (channel != null) {
                return channel;
            }
            long started = System.nanoTime();
            ProcessHandle host = starter.start(paths);
            messages.printf("glomers: starting a node host (pid %d); it serves the nodes of this build and exits "
                    + "after a quiet period without nodes; log: %s%n", host.pid(), paths.log());
            long deadline = started + startTimeout.toNanos();
            while (true) {
                channel = tryConnect(paths.socket());
                if (channel != null) {
                    messages.printf("glomers: node host %d ready after %d ms%n", host.pid(),
                            (System.nanoTime() - started) / 1_000_000);
                    return channel;
                }
                if (!host.isAlive()) {
                    // it may have found another host of this build serving (then the connect above works)
                    channel = tryConnect(paths.socket());
                    if (channel != null) {
                        return channel;
                    }
                    throw new IOException("the node host exited during start-up; see its log " + paths.log());
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("the node host did not open " + paths.socket() + " within "
                            + startTimeout.toSeconds() + " s; see its log " + paths.log());
                }
                sleep(10);
            }
        }
    }

    /**
     * A connected channel, or null when nobody listens. Every failure counts as "nobody": the
     * socket file missing (a SocketException, not NoSuchFileException) or stale (refused), and a
     * socket that appears while we look (a host binding it right now) is simply tried again.
     */
    static SocketChannel tryConnect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return channel;
        } catch (IOException nobodyListens) {
            channel.close();
            return null;
        }
    }

    /**
     * Forwards stdin to the node (its end becomes an END frame) and the node's frames to stdout and
     * stderr, until the host sends the node's exit status. When the host says PAUSED, {@code whenPaused}
     * runs on this thread (the real client stops itself there and resumes the node after).
     */
    static int pump(Connection connection, Upstream upstream, InputStream stdin, OutputStream stdout,
            OutputStream stderr, Runnable whenPaused) {
        Thread forwarder = new Thread(new Runnable() { // not a lambda, see main
            @Override
            public void run() {
                forwardStdin(stdin, upstream);
            }
        }, "stdin");
        forwarder.setDaemon(true);
        forwarder.start();
        try {
            for (HostProtocol.Frame frame = HostProtocol.readFrame(connection.frames()); frame != null;
                 frame = HostProtocol.readFrame(connection.frames())) {
                switch (frame.channel()) {
                    case HostProtocol.STDOUT -> {
                        stdout.write(frame.payload());
                        stdout.flush();
                    }
                    case HostProtocol.STDERR -> {
                        stderr.write(frame.payload());
                        stderr.flush();
                    }
                    case HostProtocol.PAUSED -> whenPaused.run();
                    case HostProtocol.EXIT -> {
                        return frame.status();
                    }
                    default -> throw new IOException("unknown frame " + frame.channel());
                }
            }
            stderr.write("glomers: the node host closed the connection\n".getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // stdout closed by the reader, or the host went away: either way this node is over
        }
        return 1;
    }

    private static void forwardStdin(InputStream stdin, Upstream upstream) {
        byte[] buffer = new byte[1 << 16];
        try {
            for (int n = stdin.read(buffer); n >= 0; n = stdin.read(buffer)) {
                if (n > 0) {
                    upstream.input(buffer, n);
                }
            }
            upstream.end();
        } catch (IOException e) {
            // the host is gone; the frame reader notices
        }
    }

    /**
     * The host JVM, detached: its own session, stdin from /dev/null, stdout and stderr to its log. Its
     * JVM options are the build's {@code host.args} and class-data archive in {@code appDir}.
     */
    static ProcessHandle startHostProcess(HostPaths paths, String javaHome, Path appDir, String classPath,
                                          Duration quiet) throws IOException {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid"); // out of the client's process group: killing that leaves the host be
        }
        command.add(Path.of(javaHome, "bin", "java").toString());
        command.addAll(jvmOptions(appDir, "host"));
        command.addAll(archiveOptions(appDir.resolve("cds").resolve(Path.of(javaHome).getFileName()), "host"));
        String extra = System.getenv(HOST_JAVA_OPTS_ENV);
        if (extra != null && !extra.isBlank()) {
            command.addAll(Arrays.asList(extra.trim().split("\\s+")));
        }
        command.addAll(List.of("-cp", classPath, "dev.glomers.host.NodeHost", // by name: loading the class would pull in Spring
                "--dir=" + paths.dir(), "--key=" + paths.buildKey(), "--quiet=" + quiet.toMillis() + "ms"));
        Files.writeString(paths.log(), "", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder builder = new ProcessBuilder(command);
        // One node's data directory must not become every hosted node's (Spring reads the environment).
        builder.environment().remove(DATA_DIR_ENV);
        Process process = builder
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(paths.log().toFile()))
                .redirectErrorStream(true)
                .start();
        return process.toHandle();
    }

    /**
     * The JVM options the build wrote for {@code name} (node, host or client) as an argfile the java
     * launcher reads: {@code @appDir/name.args}; none when the build wrote none.
     */
    public static List<String> jvmOptions(Path appDir, String name) {
        Path argfile = appDir.resolve(name + ".args");
        return Files.isRegularFile(argfile) ? List.of("@" + argfile) : List.of();
    }

    /** The build's class-data archive for this JDK: a Java 25 AOT cache, or an AppCDS archive. */
    static List<String> archiveOptions(Path archives, String name) {
        Path aot = archives.resolve(name + ".aot");
        if (Files.isRegularFile(aot)) {
            return List.of("-XX:AOTCache=" + aot);
        }
        Path jsa = archives.resolve(name + ".jsa");
        if (Files.isRegularFile(jsa)) {
            return List.of("-XX:SharedArchiveFile=" + jsa);
        }
        return List.of();
    }

    /** {@code 60s}, {@code 1500ms}, {@code 2m}, or plain seconds; blank means the default. */
    static Duration quietPeriod(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_QUIET;
        }
        String value = text.trim().toLowerCase();
        if (value.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
        }
        if (value.endsWith("s")) {
            return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
        }
        if (value.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(value));
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the node host");
        }
    }
}
