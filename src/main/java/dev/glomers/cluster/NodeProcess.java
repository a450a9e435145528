package dev.glomers.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One node: a spawned process whose stdout lines go onto the network and whose stdin receives the
 * messages addressed to it. Stderr goes to the node's log file (and to ours with --log-stderr).
 * The nemesis may kill it (SIGKILL: nothing it still writes reaches anyone) or pause and resume it
 * ({@link ProcessSignals}).
 */
final class NodeProcess implements Network.Endpoint, AutoCloseable {

    private static final String STOP = "\u0000stop";

    private final String id;
    private final Process process;
    private final Network network;
    private final ProtocolErrors errors;
    /** Where a non-JSON stdout line goes whole: the protocol error shows only its start. */
    private final Path rejectedStdout;
    private final BlockingQueue<String> toStdin = new LinkedBlockingQueue<>();
    private volatile boolean closing;
    private volatile boolean killed;
    private final Thread stdoutReader;
    private Thread stderrTee;

    /** {@code environment}: variables added to ours (the data directory when kill is on). */
    NodeProcess(String id, List<String> command, Path workDir, Path logFile, PrintStream echoStderr,
            Network network, ProtocolErrors errors, Map<String, String> environment) throws IOException {
        this.id = id;
        this.network = network;
        this.errors = errors;
        this.rejectedStdout = logFile.resolveSibling(id + ".stdout-rejected");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.environment().putAll(environment);
        if (echoStderr == null) {
            builder.redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        }
        this.process = builder.start();
        stdoutReader = daemon("stdout", this::readStdout);
        daemon("stdin", this::writeStdin);
        if (echoStderr != null) {
            stderrTee = daemon("stderr", () -> teeStderr(logFile, echoStderr));
        }
    }

    String id() {
        return id;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void deliver(ObjectNode message) {
        toStdin.add(Json.write(message));
    }

    private void readStdout() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (killed) {
                    return; // what a killed node had not yet got onto the network dies with it
                }
                if (closing) {
                    // The run is over and our teardown (stdin closed, SIGTERM) may have cut the line being
                    // written: nothing a node writes from here on is part of the run (issue #21).
                    drain(reader);
                    return;
                }
                if (line.isBlank()) {
                    continue;
                }
                ObjectNode message;
                try {
                    message = Json.parseObject(line);
                } catch (JsonProcessingException e) {
                    // The workbench stops reading a node's stdout at its first non-JSON line; so do we.
                    errors.add(id + " wrote a non-JSON line to stdout and was silenced (whole in "
                            + rejectedStdout.getFileName() + "): " + abbreviate(line));
                    keepWhole(line, e);
                    drain(reader);
                    return;
                }
                network.send(message);
            }
        } catch (IOException e) {
            // the process went away
        }
        if (!closing && !killed) {
            errors.add(id + " closed its stdout before the end of the run (exit " + exitCode() + ")");
        }
    }

    private void writeStdin() {
        try (Writer writer = new BufferedWriter(
                new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8))) {
            while (true) {
                String line = toStdin.take();
                if (line == STOP) {
                    return;
                }
                writer.write(line);
                writer.write('\n');
                if (toStdin.isEmpty()) {
                    writer.flush();
                }
            }
        } catch (IOException | InterruptedException e) {
            // the process went away or we are closing
        }
    }

    private void teeStderr(Path logFile, PrintStream echo) {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
                Writer log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND)) { // a restarted node's log follows its last life
            String line;
            while ((line = reader.readLine()) != null) {
                log.write(line);
                log.write('\n');
                log.flush();
                echo.println(id + ": " + line);
            }
        } catch (IOException e) {
            // the process went away
        }
    }

    private void keepWhole(String line, JsonProcessingException parseError) {
        try {
            Files.writeString(rejectedStdout, line + "\n" + parseError.getOriginalMessage() + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            errors.add(id + ": could not keep the rejected line in " + rejectedStdout + ": " + e.getMessage());
        }
    }

    private static void drain(BufferedReader reader) throws IOException {
        while (reader.readLine() != null) {
            // keep the pipe empty so the node never blocks on a full stdout
        }
    }

    private String exitCode() {
        try {
            return process.waitFor(1, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String abbreviate(String line) {
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    private Thread daemon(String stream, Runnable body) {
        Thread t = new Thread(body, id + "-" + stream);
        t.setDaemon(true);
        t.start();
        return t;
    }

    long pid() {
        return process.pid();
    }

    /**
     * The kill fault: SIGKILL at once. From this moment nothing the process wrote and we did not read
     * yet reaches the network, and nothing more is written to it.
     */
    void kill() {
        killed = true;
        toStdin.add(STOP);
        process.toHandle().destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Closes stdin, then kills the process as the workbench does at teardown. The kill goes through the
     * process handle: Process.destroy() would also close our ends of the pipes and lose the stderr lines
     * not read yet, and a node's last words are often the interesting ones.
     */
    @Override
    public void close() {
        closing = true;
        toStdin.add(STOP);
        ProcessHandle handle = process.toHandle();
        handle.destroy();
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                handle.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            stdoutReader.join(1000); // the protocol check comes next: let it see everything the node wrote
            if (stderrTee != null) {
                stderrTee.join(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            handle.destroyForcibly();
        }
    }
}
