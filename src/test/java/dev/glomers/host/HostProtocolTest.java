package dev.glomers.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostProtocolTest {

    @Test
    void helloRoundTripsKeyAndArguments() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new HostProtocol.Hello("abc-jdk", List.of("broadcast,frugal", "--glomers.kv.timeout=2s", "über")).writeTo(bytes);

        HostProtocol.Hello read = HostProtocol.Hello.readFrom(new ByteArrayInputStream(bytes.toByteArray()));

        assertThat(read).isEqualTo(new HostProtocol.Hello("abc-jdk", List.of("broadcast,frugal", "--glomers.kv.timeout=2s", "über")));
    }

    @Test
    void helloReadsNoFurtherThanItself() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new HostProtocol.Hello("k", List.of("echo")).writeTo(bytes);
        bytes.write("{\"stdin\":1}\n".getBytes(StandardCharsets.UTF_8));
        ByteArrayInputStream in = new ByteArrayInputStream(bytes.toByteArray());

        HostProtocol.Hello.readFrom(in);

        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"stdin\":1}\n");
    }

    @Test
    void somethingElseThanAClientIsRefused() {
        byte[] http = "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> HostProtocol.Hello.readFrom(new ByteArrayInputStream(http)))
                .isInstanceOf(IOException.class).hasMessageContaining("not a glomers client");
    }

    @Test
    void framesKeepStdoutStderrAndExitApart() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        HostProtocol.writeFrame(bytes, HostProtocol.ACCEPTED, new byte[0]);
        HostProtocol.writeFrame(bytes, HostProtocol.STDOUT, "line 1\nline 2\n".getBytes(StandardCharsets.UTF_8));
        byte[] logLine = "xx WARN something\nyy".getBytes(StandardCharsets.UTF_8);
        HostProtocol.writeFrame(bytes, HostProtocol.STDERR, logLine, 3, logLine.length - 5);
        HostProtocol.writeExit(bytes, 3);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));

        assertThat(HostProtocol.readFrame(in).channel()).isEqualTo(HostProtocol.ACCEPTED);
        HostProtocol.Frame stdout = HostProtocol.readFrame(in);
        assertThat(stdout.channel()).isEqualTo(HostProtocol.STDOUT);
        assertThat(new String(stdout.payload(), StandardCharsets.UTF_8)).isEqualTo("line 1\nline 2\n");
        HostProtocol.Frame stderr = HostProtocol.readFrame(in);
        assertThat(stderr.channel()).isEqualTo(HostProtocol.STDERR);
        assertThat(new String(stderr.payload(), StandardCharsets.UTF_8)).isEqualTo("WARN something\n");
        HostProtocol.Frame exit = HostProtocol.readFrame(in);
        assertThat(exit.channel()).isEqualTo(HostProtocol.EXIT);
        assertThat(exit.status()).isEqualTo(3);
        assertThat(HostProtocol.readFrame(in)).as("clean end between frames").isNull();
    }

    @Test
    void aCutOffFrameOrAnAbsurdLengthIsAnError() {
        byte[] cut = {HostProtocol.STDOUT, 0, 0, 0, 10, 'a', 'b'};
        assertThatThrownBy(() -> HostProtocol.readFrame(new DataInputStream(new ByteArrayInputStream(cut))))
                .isInstanceOf(IOException.class);
        byte[] huge = {HostProtocol.STDOUT, 0x7f, 0, 0, 0};
        assertThatThrownBy(() -> HostProtocol.readFrame(new DataInputStream(new ByteArrayInputStream(huge))))
                .isInstanceOf(IOException.class).hasMessageContaining("bad frame length");
    }

    @Test
    void quietPeriodsReadLikeDurations() {
        assertThat(HostClient.quietPeriod(null)).isEqualTo(Duration.ofSeconds(60));
        assertThat(HostClient.quietPeriod("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(HostClient.quietPeriod("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(HostClient.quietPeriod("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(HostClient.quietPeriod("5")).isEqualTo(Duration.ofSeconds(5));
    }
}
