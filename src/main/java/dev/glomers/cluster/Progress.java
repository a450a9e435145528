package dev.glomers.cluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a run tells the person waiting for it, on stderr. On a terminal: one status line, redrawn a few
 * times a second, with the phase, its elapsed and total time, and the operations so far; log lines
 * (partitions, node stderr) scroll above it. Anywhere else (a file, a pipe, a test): plain lines only.
 */
final class Progress implements AutoCloseable {

    /** Run phases, in order. */
    enum Phase {
        SPAWN("spawn"), INIT("init"), SET_UP("set-up"), CLIENTS("clients"), DRAINING("last replies"),
        RECOVERY("healing"), FINAL_READS("final reads"), CHECKING("checking"), DONE("done");

        final String label;

        Phase(String label) {
            this.label = label;
        }
    }

    private static final long REDRAW_MILLIS = 200;

    private final PrintStream out;
    private final boolean live;
    private final PrintStream lines;
    private final long began = System.nanoTime();
    private volatile Phase phase = Phase.SPAWN;
    private volatile long phaseBegan = System.nanoTime();
    private volatile double phaseSeconds;
    private volatile History history;
    /** The faults in force, as the status line shows them ("partitioned, dead n1, paused n2"); empty: none. */
    private volatile String faults = "";
    private boolean statusShown;
    private Thread redrawer;

    private Progress(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
        this.lines = new PrintStream(new LineSplitter(), true, StandardCharsets.UTF_8);
        if (live) {
            redrawer = new Thread(this::redrawLoop, "cluster-progress");
            redrawer.setDaemon(true);
            redrawer.start();
        }
    }

    /** Plain lines to {@code out}. */
    static Progress plain(PrintStream out) {
        return new Progress(out, false);
    }

    /** A live status line on {@code out}, whatever {@code out} is. */
    static Progress live(PrintStream out) {
        return new Progress(out, true);
    }

    /**
     * A live status line when {@code err} is this process's stderr and that is a terminal.
     * GLOMERS_PROGRESS=plain or =live overrides the guess.
     */
    static Progress forStderr(PrintStream err) {
        String override = System.getenv().getOrDefault("GLOMERS_PROGRESS", "");
        boolean live = switch (override) {
            case "live" -> true;
            case "plain" -> false;
            default -> err == System.err && stderrIsTerminal();
        };
        return new Progress(err, live);
    }

    /** Java cannot ask isatty(2); on Linux, /proc tells where fd 2 points. */
    private static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    boolean isLive() {
        return live;
    }

    /** A stream whose lines go above the status line (or straight out, when plain). */
    PrintStream lines() {
        return lines;
    }

    /** Where operation counts come from once clients run. */
    void history(History history) {
        this.history = history;
    }

    void faults(String inForce) {
        this.faults = inForce;
    }

    /** A new phase; {@code seconds} is how long it is expected to last, 0 when unknown. */
    void phase(Phase phase, double seconds) {
        this.phase = phase;
        this.phaseBegan = System.nanoTime();
        this.phaseSeconds = seconds;
        redraw();
    }

    void println(String line) {
        synchronized (this) {
            clearStatus();
            out.println(line);
            drawStatus();
        }
    }

    /** The status line's text: phase, elapsed / total, operations so far. */
    String status() {
        StringBuilder s = new StringBuilder();
        double inPhase = (System.nanoTime() - phaseBegan) / 1e9;
        s.append(String.format(Locale.ROOT, "[%6.1f s] %-12s", (System.nanoTime() - began) / 1e9, phase.label));
        if (phaseSeconds > 0) {
            s.append(String.format(Locale.ROOT, " %5.1f / %.0f s", Math.min(inPhase, phaseSeconds), phaseSeconds));
        } else {
            s.append(String.format(Locale.ROOT, " %5.1f s", inPhase));
        }
        History h = history;
        if (h != null) {
            History.Counts c = h.counts();
            s.append(String.format(Locale.ROOT, " | %d ops, %d ok, %d failed, %d indeterminate, %d pending",
                    c.invoked(), c.ok(), c.failed(), c.indeterminate(), c.pending()));
        }
        if (!faults.isEmpty()) {
            s.append(" | ").append(faults);
        }
        return s.toString();
    }

    private void redrawLoop() {
        try {
            while (true) {
                Thread.sleep(REDRAW_MILLIS);
                redraw();
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private synchronized void redraw() {
        clearStatus();
        drawStatus();
    }

    private void clearStatus() {
        if (live && statusShown) {
            out.print("\r\033[K");
            statusShown = false;
        }
    }

    private void drawStatus() {
        if (live && phase != Phase.DONE) {
            out.print(status());
            out.flush();
            statusShown = true;
        }
    }

    @Override
    public void close() {
        if (redrawer != null) {
            redrawer.interrupt();
        }
        synchronized (this) {
            phase = Phase.DONE;
            clearStatus();
            out.flush();
        }
    }

    /** Turns bytes written to {@link #lines()} into whole lines for {@link #println}. */
    private final class LineSplitter extends OutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                println(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }
    }
}
