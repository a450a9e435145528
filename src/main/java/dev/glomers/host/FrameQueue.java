package dev.glomers.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadFactory;

/**
 * Everything a node sends its client (stdout, stderr, the exit status) as frames on one queue,
 * written to the socket by a thread of its own. So no thread of the node, above all not the one
 * reading its input, ever blocks on the socket: a node that logs while its client is still sending
 * cannot end up waiting for a client that is waiting for it.
 *
 * <p>Bounded: once {@code limit} bytes wait, whoever adds a frame waits too, and {@link #gate} stops
 * the node reading its input. So a client that stops reading (its workbench stopped reading) stops
 * the node, rather than the node buffering without end. A frame larger than the limit still goes
 * through, alone. The node's stdout comes as whole lines ({@link LineFrames}), so whatever ends the frames
 * ends them between two messages.
 */
final class FrameQueue implements AutoCloseable {

    private final OutputStream socket;
    private final long limit;
    private final ArrayDeque<byte[]> frames = new ArrayDeque<>();
    private final Thread writer;
    private long queuedBytes;
    private boolean ended;
    private boolean broken;

    FrameQueue(OutputStream socket, long limit, ThreadFactory threads) {
        this.socket = socket;
        this.limit = limit;
        this.writer = threads.newThread(this::writeFrames);
        writer.start();
    }

    /**
     * Queues one frame, waiting while the queue is full. Interrupted while waiting, it stops waiting but still
     * queues the frame (the bound is flow control, and a frame left out would be a hole in the node's output);
     * a frame is dropped only when nobody will read it.
     */
    void add(byte channel, byte[] payload, int offset, int length) {
        byte[] frame = new byte[5 + length];
        ByteBuffer.wrap(frame).put(channel).putInt(length).put(payload, offset, length);
        boolean interrupted = false;
        synchronized (this) {
            while (!broken && !ended && queuedBytes > 0 && queuedBytes + frame.length > limit) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            }
            if (!broken && !ended) { // else the client is gone, or the node already ended: nobody reads this
                frames.add(frame);
                queuedBytes += frame.length;
                notifyAll();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    void add(byte channel, byte[] payload) {
        add(channel, payload, 0, payload.length);
    }

    /** The last frame: the node's exit status. Waits until every frame is written or the client is gone. */
    void end(int status) {
        add(HostProtocol.EXIT, ByteBuffer.allocate(4).putInt(status).array());
        synchronized (this) {
            ended = true;
            notifyAll();
            while (!broken && !frames.isEmpty()) {
                if (!waitInterruptibly()) {
                    return;
                }
            }
        }
    }

    /** Bytes waiting to be written (tests). */
    synchronized long queuedBytes() {
        return queuedBytes;
    }

    /**
     * The node's input, read only while the output is not backed up: a client that reads nothing
     * more gets nothing more read from it.
     */
    InputStream gate(InputStream input) {
        return dev.glomers.node.InputGate.of(input, this::awaitRoom);
    }

    private synchronized void awaitRoom() throws IOException {
        while (!broken && queuedBytes >= limit) {
            if (!waitInterruptibly()) {
                throw new IOException("interrupted while the client was not reading");
            }
        }
    }

    private void writeFrames() {
        while (true) {
            byte[] frame;
            synchronized (this) {
                while (frames.isEmpty() && !(ended || broken)) {
                    if (!waitInterruptibly()) {
                        return;
                    }
                }
                if (frames.isEmpty()) {
                    return;
                }
                frame = frames.peek();
            }
            try {
                socket.write(frame);
            } catch (IOException | RuntimeException clientGone) { // whatever stops the writing, nobody may wait for it
                synchronized (this) {
                    broken = true;
                    frames.clear();
                    queuedBytes = 0;
                    notifyAll();
                }
                return;
            }
            synchronized (this) {
                frames.poll();
                queuedBytes -= frame.length;
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

    /** Drops whatever waits and lets everyone blocked on the queue go (the client is gone). */
    @Override
    public synchronized void close() {
        broken = true;
        frames.clear();
        queuedBytes = 0;
        notifyAll();
    }
}
