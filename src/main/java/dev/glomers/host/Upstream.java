package dev.glomers.host;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;

/**
 * What a thin client sends its node in the host, as frames ({@link HostProtocol}): input, the end of
 * input, pause and resume. One lock keeps frames whole; while a pause is asked for, no input goes up.
 * The Java client also takes the runner's pause signal here (the Perl forwarder does the same in Perl).
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

    /** SIGTSTP (the runner's pause) asks the host to hold the node; see {@link #stopThenResume}. */
    void pauseOnSignal() {
        sun.misc.Signal.handle(new sun.misc.Signal("TSTP"), new sun.misc.SignalHandler() {
            @Override
            public void handle(sun.misc.Signal signal) {
                try {
                    pause();
                } catch (IOException e) {
                    // the host is gone; the frame reader notices
                }
            }
        });
    }

    /**
     * The host holds the node (PAUSED came): stop this process (SIGSTOP, which only a signal from outside
     * can undo) and, once continued, let the node go.
     */
    void stopThenResume() {
        try {
            Process stop = new ProcessBuilder("kill", "-s", "STOP", Long.toString(ProcessHandle.current().pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            stop.waitFor(); // returns once we are continued: the kill ended while we were stopped
            resume();
        } catch (IOException e) {
            // the host is gone; the frame reader notices
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
