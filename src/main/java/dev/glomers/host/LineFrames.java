package dev.glomers.host;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A node's stdout as frames that hold whole lines only. The writer above us hands over bytes in chunks of
 * its own size (8 KB from an {@code OutputStreamWriter}), so a long message would otherwise span several
 * frames, and whatever stops the frames between two of them (the node ending, its client killed or
 * terminated between two writes, a frame not queued) would leave the first half of a message on the
 * client's stdout: a line the workbench rejects as not JSON, after which it ignores the node. Here the bytes
 * of a line wait until its newline comes, then go as one frame with any whole lines before them.
 *
 * <p>A line longer than a frame can be ({@link HostProtocol#MAX_FRAME}) cannot go whole; it goes in
 * pieces, in order. {@link #flush} sends nothing: a line leaves when it is complete.
 */
final class LineFrames extends OutputStream {

    private static final int FIRST_BUFFER = 1 << 13;
    /** A buffer grown past this for one long line is let go once the line left. */
    private static final int KEPT_BUFFER = 1 << 16;

    private final FrameQueue frames;
    private final byte channel;
    private final int maxFrame;
    /** The start of a line whose newline has not come yet. */
    private byte[] partial = new byte[FIRST_BUFFER];
    private int partialLength;

    LineFrames(FrameQueue frames, byte channel) {
        this(frames, channel, HostProtocol.MAX_FRAME);
    }

    LineFrames(FrameQueue frames, byte channel, int maxFrame) {
        this.frames = frames;
        this.channel = channel;
        this.maxFrame = maxFrame;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int afterLastNewline = offset;
        for (int i = end - 1; i >= offset; i--) {
            if (bytes[i] == '\n') {
                afterLastNewline = i + 1;
                break;
            }
        }
        if (afterLastNewline > offset) { // at least one line ends in these bytes
            if (partialLength == 0) {
                send(bytes, offset, afterLastNewline - offset);
            } else {
                keep(bytes, offset, afterLastNewline - offset);
                send(partial, 0, partialLength);
                partialLength = 0;
                if (partial.length > KEPT_BUFFER) {
                    partial = new byte[FIRST_BUFFER];
                }
            }
        }
        keep(bytes, afterLastNewline, end - afterLastNewline);
    }

    /** The bytes held for lines not yet complete (tests). */
    synchronized int bufferSize() {
        return partial.length;
    }

    private void keep(byte[] bytes, int offset, int length) {
        if (partialLength + length > maxFrame) { // a line too long for one frame: it goes in pieces
            send(partial, 0, partialLength);
            partialLength = 0;
            send(bytes, offset, length);
            return;
        }
        if (partialLength + length > partial.length) {
            partial = Arrays.copyOf(partial, Math.max(partialLength + length, 2 * partial.length));
        }
        System.arraycopy(bytes, offset, partial, partialLength, length);
        partialLength += length;
    }

    private void send(byte[] bytes, int offset, int length) {
        for (int sent = 0; sent < length; sent += maxFrame) {
            frames.add(channel, bytes, offset + sent, Math.min(maxFrame, length - sent));
        }
    }
}
