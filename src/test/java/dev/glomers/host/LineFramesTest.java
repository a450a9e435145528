package dev.glomers.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A node's stdout in the host: frames of whole lines, so nothing that stops the frames can cut a message. */
class LineFramesTest {

    private final ByteArrayOutputStream socket = new ByteArrayOutputStream();
    private final FrameQueue queue = new FrameQueue(socket, 1 << 20, Thread::new);

    /** The STDOUT payloads written to the socket, up to the exit frame. */
    private List<String> stdoutFrames() throws IOException {
        queue.end(0);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(socket.toByteArray()));
        List<String> payloads = new ArrayList<>();
        for (HostProtocol.Frame frame = HostProtocol.readFrame(in); frame.channel() != HostProtocol.EXIT;
                frame = HostProtocol.readFrame(in)) {
            assertThat(frame.channel()).isEqualTo(HostProtocol.STDOUT);
            payloads.add(new String(frame.payload(), StandardCharsets.UTF_8));
        }
        return payloads;
    }

    private static String message(int padding) {
        return "{\"src\":\"n0\",\"dest\":\"n1\",\"body\":{\"type\":\"txn_replicate\",\"pad\":\"" + "x".repeat(padding)
                + "\"}}\n";
    }

    /**
     * issue #21: the node's writer hands over 8 KB at a time, and each write used to be a frame of its own, so a
     * long message spanned frames; when the frames stopped between two of them (here: the node ends), the client
     * wrote the first 8 KB of the message as a line of its own.
     */
    @Test
    void aLongMessageIsOneFrameAndTheEndCannotCutIt() throws IOException {
        LineFrames stdout = new LineFrames(queue, HostProtocol.STDOUT);
        Writer writer = new OutputStreamWriter(stdout, StandardCharsets.UTF_8); // as the node's LineWriter writes
        String whole = message(30_000);
        writer.write(whole);
        writer.flush();
        String cut = message(20_000);
        writer.write(cut, 0, 9_000);
        writer.flush(); // 8 KB of the next message reached the stream, its newline has not

        assertThat(stdoutFrames()).containsExactly(whole); // ... and the node ended there
    }

    @Test
    void wholeLinesGoAtOnceAndAPartialLineWaitsForItsNewline() throws IOException {
        LineFrames stdout = new LineFrames(queue, HostProtocol.STDOUT);
        stdout.write("a\nb\nc".getBytes(StandardCharsets.UTF_8));
        stdout.write("cc".getBytes(StandardCharsets.UTF_8));
        stdout.write("c\nd\ne".getBytes(StandardCharsets.UTF_8));
        stdout.write('\n');

        assertThat(stdoutFrames()).containsExactly("a\nb\n", "cccc\nd\n", "e\n");
    }

    @Test
    void aLineLongerThanAFrameGoesInPiecesInOrder() throws IOException {
        LineFrames stdout = new LineFrames(queue, HostProtocol.STDOUT, 4);
        stdout.write("ab\n0123".getBytes(StandardCharsets.UTF_8));
        stdout.write("4567890\nxy\n".getBytes(StandardCharsets.UTF_8));

        List<String> frames = stdoutFrames();
        assertThat(frames).allSatisfy(frame -> assertThat(frame.length()).isLessThanOrEqualTo(4));
        assertThat(String.join("", frames)).isEqualTo("ab\n01234567890\nxy\n");
    }

    @Test
    void theBufferOfOneHugeMessageIsLetGoOnceItLeft() throws IOException {
        LineFrames stdout = new LineFrames(queue, HostProtocol.STDOUT);
        Writer writer = new OutputStreamWriter(stdout, StandardCharsets.UTF_8);
        String huge = message(1 << 20);
        writer.write(huge);
        writer.flush();
        writer.write("{}\n");
        writer.flush();

        assertThat(stdout.bufferSize()).isLessThanOrEqualTo(1 << 16);
        assertThat(stdoutFrames()).containsExactly(huge, "{}\n");
    }
}
