package dev.glomers.node;

import java.io.IOException;
import java.io.InputStream;

/**
 * A node's input, read only while its output has room: a reader that stops reading what the node writes
 * gets nothing more read from it, so a bounded output queue ({@link LineWriter}, the node host's frame
 * queue) bounds the node.
 */
public final class InputGate {

    /** Blocks until the output has room, or fails when waiting was interrupted. */
    @FunctionalInterface
    public interface Room {
        void await() throws IOException;
    }

    private InputGate() {
    }

    public static InputStream of(InputStream input, Room room) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                room.await();
                return input.read();
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                room.await();
                return input.read(buffer, offset, length);
            }

            @Override
            public void close() throws IOException {
                input.close();
            }
        };
    }
}
