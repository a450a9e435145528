package dev.glomers.node;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of a node's output: any thread hands it lines, its own thread writes them whole,
 * one per line, and flushes whenever nothing else is waiting, so no message sits in a buffer.
 *
 * <p>Bounded, as the node host's frame queue is: once {@code limit} characters wait, whoever writes a
 * line waits too, and {@link #gate} stops the node reading its input. So a reader that stops reading our
 * stdout stops the node, rather than the node buffering without end. A line longer than the limit still
 * goes through, alone. Once the output is broken (nobody reads it any more) lines are dropped.
 */
final class LineWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LineWriter.class);

    /** Characters a standalone node may have waiting for stdout before it stops reading stdin. */
    static final long DEFAULT_LIMIT = 1 << 20;

    private final BufferedWriter out;
    private final long limit;
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private final Thread thread;
    private long queuedChars;
    private boolean ended;
    private boolean broken;
    private volatile Consumer<Wait> waitWatcher = wait -> { };

    /** What a thread waits for room to do: queue its line, or read more input through {@link #gate}. */
    enum Wait {
        LINE, INPUT
    }

    LineWriter(OutputStream stream, ThreadFactory threads) {
        this(stream, DEFAULT_LIMIT, threads);
    }

    LineWriter(OutputStream stream, long limit, ThreadFactory threads) {
        this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
        this.limit = limit;
        this.thread = threads.newThread(this::drain);
        thread.start();
    }

    void write(String line) {
        synchronized (this) {
            while (!broken && !ended && queuedChars > 0 && queuedChars + line.length() > limit) {
                waitWatcher.accept(Wait.LINE);
                if (!waitInterruptibly()) {
                    return;
                }
            }
            if (broken || ended) {
                return;
            }
            lines.add(line);
            queuedChars += line.length();
            notifyAll();
        }
    }

    /** The node's input, read only while the output is not backed up. */
    InputStream gate(InputStream input) {
        return InputGate.of(input, this::awaitRoom);
    }

    /**
     * Tells {@code watcher}, on the waiting thread and holding the lock, each time a thread is about to
     * wait for room (tests: they learn a thread is held without polling its state).
     */
    void watchWaits(Consumer<Wait> watcher) {
        this.waitWatcher = watcher;
    }

    /** Characters waiting to be written (tests). */
    synchronized long queuedChars() {
        return queuedChars;
    }

    private synchronized void awaitRoom() throws IOException {
        while (!broken && queuedChars >= limit) {
            waitWatcher.accept(Wait.INPUT);
            if (!waitInterruptibly()) {
                throw new IOException("interrupted while stdout was not read");
            }
        }
    }

    private void drain() {
        try {
            while (true) {
                String line;
                boolean last;
                synchronized (this) {
                    while (lines.isEmpty() && !ended) {
                        if (!waitInterruptibly()) {
                            return;
                        }
                    }
                    if (lines.isEmpty()) {
                        out.flush();
                        return;
                    }
                    line = lines.peek();
                    last = lines.size() == 1;
                }
                out.write(line);
                out.write('\n');
                if (last) {
                    out.flush();
                }
                synchronized (this) {
                    lines.poll();
                    queuedChars -= line.length();
                    notifyAll();
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("output closed: {}", e.getMessage());
            synchronized (this) {
                broken = true;
                lines.clear();
                queuedChars = 0;
                notifyAll();
            }
        }
    }

    private boolean waitInterruptibly() {
        try {
            wait();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Writes what waits (up to 5 s), then ends the writer thread. */
    @Override
    public void close() {
        synchronized (this) {
            ended = true;
            notifyAll();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
