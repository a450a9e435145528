package dev.glomers.host;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * What the thin client and the node host say over their Unix socket. Plain JDK only: the client
 * loads this class, and it must not pull in anything else.
 *
 * <pre>
 * client -> host: hello (magic, build key, profiles and Spring arguments), then frames of
 *                 [channel byte][length int][payload]: INPUT (bytes of the client's stdin), END (stdin
 *                 ended: the node serves what it has, then finishes), PAUSE, RESUME (both empty).
 * host -> client: frames: ACCEPTED (empty), REJECTED (reason), STDOUT (whole lines, {@link LineFrames}),
 *                 STDERR (bytes), PAUSED (empty: the node is held), EXIT (int status).
 * </pre>
 * One socket keeps stdout and stderr apart without a second connection, and the EXIT frame
 * carries the node's exit status back to the process the workbench spawned. The socket ending without
 * END means the client died (the kill fault): the node ends at once, with no time to finish.
 * A client asked to pause (SIGTSTP) sends PAUSE, waits for PAUSED, then stops itself; continued, it
 * sends RESUME (docs/faults.md).
 */
public final class HostProtocol {

    static final int MAGIC = 0x676c6d32; // "glm2": framed input

    public static final byte ACCEPTED = 'A';
    public static final byte REJECTED = 'R';
    public static final byte STDOUT = 'O';
    public static final byte STDERR = 'E';
    public static final byte EXIT = 'X';
    public static final byte PAUSED = 'P';

    // client -> host
    public static final byte INPUT = 'I';
    public static final byte END = 'Z';
    public static final byte PAUSE = 'P';
    public static final byte RESUME = 'C';

    /** Frames are capped so a corrupt length can't make the client allocate gigabytes. */
    static final int MAX_FRAME = 1 << 24;

    private HostProtocol() {
    }

    /** The client's opening words: which build it belongs to and which node it wants. */
    public record Hello(String buildKey, List<String> args) {

        public void writeTo(OutputStream out) throws IOException {
            DataOutputStream data = new DataOutputStream(out);
            data.writeInt(MAGIC);
            data.writeUTF(buildKey);
            data.writeInt(args.size());
            for (String arg : args) {
                data.writeUTF(arg);
            }
            data.flush();
        }

        public static Hello readFrom(InputStream in) throws IOException {
            DataInputStream data = new DataInputStream(in);
            if (data.readInt() != MAGIC) {
                throw new IOException("not a glomers client");
            }
            String key = data.readUTF();
            int count = data.readInt();
            if (count < 0 || count > 10_000) {
                throw new IOException("bad argument count " + count);
            }
            List<String> args = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                args.add(data.readUTF());
            }
            return new Hello(key, List.copyOf(args));
        }
    }

    /** One frame from the host; {@code payload} is exactly the frame's bytes. */
    public record Frame(byte channel, byte[] payload) {

        /** The status an EXIT frame carries. */
        public int status() {
            return ByteBuffer.wrap(payload).getInt();
        }
    }

    /** Writes one frame whole; callers on several threads share {@code out}, so it locks it. */
    public static void writeFrame(OutputStream out, byte channel, byte[] payload, int offset, int length)
            throws IOException {
        byte[] header = {channel, (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
        synchronized (out) {
            out.write(header);
            out.write(payload, offset, length);
            out.flush();
        }
    }

    public static void writeFrame(OutputStream out, byte channel, byte[] payload) throws IOException {
        writeFrame(out, channel, payload, 0, payload.length);
    }

    public static void writeExit(OutputStream out, int status) throws IOException {
        writeFrame(out, EXIT, ByteBuffer.allocate(4).putInt(status).array());
    }

    /** The next frame, or null when the stream ended cleanly between frames. */
    public static Frame readFrame(DataInputStream in) throws IOException {
        int channel = in.read();
        if (channel < 0) {
            return null;
        }
        int length = in.readInt();
        if (length < 0 || length > MAX_FRAME) {
            throw new IOException("bad frame length " + length);
        }
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Frame((byte) channel, payload);
    }

    /**
     * Blocking streams straight over a socket channel. {@code Channels.newInputStream} would do, but
     * on Java 17 its streams lock the channel for every call, so a reader blocked in read() would
     * stall the writer: client and host both read and write the same socket at once.
     */
    public static InputStream inputOf(SocketChannel channel) {
        return new InputStream() {
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
                return channel.read(ByteBuffer.wrap(buffer, offset, length));
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    public static OutputStream outputOf(SocketChannel channel) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] buffer, int offset, int length) throws IOException {
                ByteBuffer bytes = ByteBuffer.wrap(buffer, offset, length);
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }
}
