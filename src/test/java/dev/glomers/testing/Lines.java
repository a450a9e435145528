package dev.glomers.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.node.Wire;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The lines a node wrote, in order, for tests to take one by one. */
public final class Lines implements Consumer<String> {

    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    @Override
    public void accept(String line) {
        lines.add(line);
    }

    /** The next line, waiting up to 5 s; fails the test when none comes. */
    public String next() {
        try {
            String line = lines.poll(5, TimeUnit.SECONDS);
            if (line == null) {
                throw new AssertionError("no line within 5 s");
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next line as JSON. */
    public JsonNode nextJson() {
        try {
            return Wire.JSON.readTree(next());
        } catch (Exception e) {
            throw new AssertionError("a line that is not JSON", e);
        }
    }

    /** True if no further line arrives within {@code millis}. */
    public boolean quietFor(long millis) throws InterruptedException {
        String line = lines.poll(millis, TimeUnit.MILLISECONDS);
        if (line != null) {
            throw new AssertionError("unexpected line: " + line);
        }
        return true;
    }
}
