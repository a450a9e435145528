package dev.glomers.node;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of a node's output: any thread hands it lines, its own thread writes them whole,
 * one per line, and flushes whenever nothing else is waiting, so no message sits in a buffer.
 */
final class LineWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LineWriter.class);
    private static final String END = new String("end of output");

    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final BufferedWriter out;
    private final Thread thread;

    LineWriter(OutputStream stream, ThreadFactory threads) {
        this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
        this.thread = threads.newThread(this::drain);
        thread.start();
    }

    void write(String line) {
        lines.add(line);
    }

    private void drain() {
        try {
            while (true) {
                String line = lines.take();
                if (line == END) {
                    out.flush();
                    return;
                }
                out.write(line);
                out.write('\n');
                if (lines.isEmpty()) {
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.warn("output closed: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        lines.add(END);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
