package dev.glomers.host;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;

/**
 * What a thin client sends its node in the host, as frames ({@link HostProtocol}): input, the end of
 * input, pause and resume. One lock keeps frames whole; while a pause is asked for, no input goes up.
 */
final class Upstream {

    private static final byte[] NONE = new byte[0];

    private final SocketChannel channel;
    private final OutputStream socket;
    private boolean pausing;

    Upstream(SocketChannel channel) {
        this.channel = channel;
        this.socket = HostProtocol.outputOf(channel);
    }

    synchronized void input(byte[] bytes, int length) throws IOException {
        while (pausing) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
        HostProtocol.writeFrame(socket, HostProtocol.INPUT, bytes, 0, length);
    }

    /** Stdin ended: the node serves what it has and finishes (unlike a socket that just closes: killed). */
    synchronized void end() throws IOException {
        HostProtocol.writeFrame(socket, HostProtocol.END, NONE);
        channel.shutdownOutput();
    }

    /** Asks the host to hold the node; it answers PAUSED once it does. */
    synchronized void pause() throws IOException {
        if (!pausing) {
            pausing = true;
            HostProtocol.writeFrame(socket, HostProtocol.PAUSE, NONE);
        }
    }

    synchronized void resume() throws IOException {
        if (pausing) {
            pausing = false;
            HostProtocol.writeFrame(socket, HostProtocol.RESUME, NONE);
            notifyAll();
        }
    }
}
