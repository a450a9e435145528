package dev.glomers.host;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The node's input in the host: the payload of the client's INPUT frames, read as one stream. END is
 * the end of the stream (stdin ended; the node finishes what it has). PAUSE and RESUME go to the
 * node's {@link Holder} as they come, in order with the input. The socket ending without END throws
 * {@link ClientGone}: the client process died, and its node must end on the spot.
 */
final class ClientInput extends InputStream {

    /** Holds the node still (no timer, no task) and lets it go again. */
    interface Holder {
        /** Returns once the node is held. */
        void hold() throws IOException;

        void release();
    }

    /** The client died (killed): no END came. */
    static final class ClientGone extends IOException {
        ClientGone() {
            super("the client went away without ending its input (killed)");
        }
    }

    private final DataInputStream socket;
    private final Holder holder;
    private int remaining;
    private boolean ended;

    ClientInput(InputStream socket, Holder holder) {
        this.socket = new DataInputStream(socket);
        this.holder = holder;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (remaining == 0) {
            if (ended) {
                return -1;
            }
            nextFrame();
        }
        int n = socket.read(buffer, offset, Math.min(length, remaining));
        if (n < 0) {
            throw new ClientGone();
        }
        remaining -= n;
        return n;
    }

    private void nextFrame() throws IOException {
        int channel = socket.read();
        if (channel < 0) {
            throw new ClientGone();
        }
        int length;
        try {
            length = socket.readInt();
        } catch (EOFException e) {
            throw new ClientGone();
        }
        if (length < 0 || length > HostProtocol.MAX_FRAME || (channel != HostProtocol.INPUT && length != 0)) {
            throw new IOException("bad frame from the client: channel " + channel + ", length " + length);
        }
        switch (channel) {
            case HostProtocol.INPUT -> remaining = length;
            case HostProtocol.END -> ended = true;
            case HostProtocol.PAUSE -> holder.hold();
            case HostProtocol.RESUME -> holder.release();
            default -> throw new IOException("unknown frame from the client: " + channel);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
