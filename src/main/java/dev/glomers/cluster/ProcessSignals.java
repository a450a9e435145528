package dev.glomers.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Pause and resume a node process with signals. Java has no API to signal a process other than kill, so
 * this runs {@code kill -s SIG PID}.
 *
 * <p>A pause sends SIGTSTP first, not SIGSTOP: a standalone JVM does not catch it and stops at once, as with
 * SIGSTOP, while our thin clients (bin/glomers-forward, HostClient) catch it, have the node host hold
 * the node (no input read, no timer, no output) and only then stop themselves. So the pause counts once the
 * process shows as stopped. A program that ignores SIGTSTP (or an orphaned process group, where the kernel
 * drops it) gets SIGSTOP after {@link #STOP_GRACE_MILLIS}.
 */
final class ProcessSignals {

    static final long STOP_GRACE_MILLIS = 3000;

    private ProcessSignals() {
    }

    /** Stops the process; returns how: "stopped" or "stopped by SIGSTOP" (it ignored SIGTSTP). */
    static String pause(long pid) throws IOException, InterruptedException {
        signal(pid, "TSTP");
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
