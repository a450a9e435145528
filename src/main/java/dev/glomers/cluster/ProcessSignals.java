package dev.glomers.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Pause and resume a node process with signals. Java has no API to signal a process other than kill, so
 * this runs {@code kill -s SIG PID}.
 *
 * <p>A process that catches SIGTSTP (our thin clients, bin/glomers-forward and HostClient, as its
 * SigCgt mask in /proc says) gets SIGTSTP: it has the node host hold the node (no input read, no timer, no
 * output) and only then stops itself, so the pause counts once the process shows as stopped. Any other
 * (a standalone JVM, a fake node) gets SIGSTOP, which is exact for a process that is the whole node; not
 * SIGTSTP, whose default stop the kernel drops in an orphaned process group (a build tool's forks). A
 * client that does not stop within {@link #STOP_GRACE_MILLIS} gets SIGSTOP too.
 */
final class ProcessSignals {

    static final long STOP_GRACE_MILLIS = 3000;

    private ProcessSignals() {
    }

    /** Stops the process; returns "paused", or says that a client ignored SIGTSTP and got SIGSTOP. */
    static String pause(long pid) throws IOException, InterruptedException {
        signal(pid, catchesTstp(pid) ? "TSTP" : "STOP");
        if (awaitStopped(pid, STOP_GRACE_MILLIS)) {
            return "paused";
        }
        signal(pid, "STOP");
        awaitStopped(pid, STOP_GRACE_MILLIS);
        return "paused by SIGSTOP (SIGTSTP was not acted on)";
    }

    static void resume(long pid) throws IOException, InterruptedException {
        signal(pid, "CONT");
    }

    private static void signal(long pid, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(pid))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!kill.waitFor(5, TimeUnit.SECONDS)) {
            kill.destroyForcibly();
            throw new IOException("kill -s " + signal + " " + pid + " did not finish");
        }
    }

    private static final int SIGTSTP = 20; // Linux, every architecture Java runs on

    /** Whether the process has a handler for SIGTSTP: bit 19 of SigCgt in /proc/PID/status. */
    static boolean catchesTstp(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("SigCgt:")) {
                    long caught = Long.parseUnsignedLong(line.substring("SigCgt:".length()).trim(), 16);
                    return (caught & (1L << (SIGTSTP - 1))) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: treat it as a process of its own
        }
        return false;
    }

    /** Whether the process is stopped (state T in /proc/PID/stat), polled until {@code millis} pass. */
    static boolean awaitStopped(long pid, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        do {
            if (isStopped(pid)) {
                return true;
            }
            Thread.sleep(2);
        } while (System.nanoTime() < deadline);
        return false;
    }

    static boolean isStopped(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // pid (comm) state ...: comm may hold spaces and parentheses, so the state follows the last ')'
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'T' || state == 't';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
