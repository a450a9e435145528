package dev.glomers.testing;

import dev.glomers.NodeApplication;
import dev.glomers.node.Node;
import dev.glomers.node.Wire;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One node as the standalone application wires it, served over pipes: what a test writes is the
 * node's stdin, what it reads is the node's stdout, line by line, exactly as the workbench sees them.
 */
public final class PipedNode implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final OutputStream stdin;
    private final BufferedReader stdout;
    private final Thread loop;

    public PipedNode(String profiles, String... springArgs) throws IOException {
        context = NodeApplication.start(profiles, springArgs);
        PipedInputStream nodeIn = new PipedInputStream(1 << 20);
        stdin = new PipedOutputStream(nodeIn);
        PipedInputStream testIn = new PipedInputStream(1 << 20);
        PipedOutputStream nodeOut = new PipedOutputStream(testIn);
        stdout = new BufferedReader(new InputStreamReader(testIn, StandardCharsets.UTF_8));
        Node node = context.getBean(Node.class);
        loop = new Thread(() -> {
            try (nodeOut) {
                node.serve(nodeIn, nodeOut);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, "piped-node");
        loop.setDaemon(true);
        loop.start();
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** Writes one line to the node's stdin. */
    public void send(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** Reads the node's next stdout line, failing if it is not a message. */
    public String read() throws IOException {
        String line = stdout.readLine();
        if (line == null) {
            throw new AssertionError("stdout closed");
        }
        if (Wire.parse(line) == null) {
            throw new AssertionError("stdout carried a line that is not a message: " + line);
        }
        return line;
    }

    /** Sends init for a cluster of {@code nodeIds} with this node as the first, and checks init_ok. */
    public void init(String nodeId, String... nodeIds) throws IOException {
        send("{\"src\":\"c0\",\"dest\":\"" + nodeId + "\",\"body\":{\"type\":\"init\",\"msg_id\":1,\"node_id\":\""
                + nodeId + "\",\"node_ids\":" + Wire.JSON.valueToTree(nodeIds) + "}}");
        String reply = read();
        if (!reply.equals("{\"src\":\"" + nodeId + "\",\"dest\":\"c0\",\"body\":{\"type\":\"init_ok\",\"in_reply_to\":1}}")) {
            throw new AssertionError("init answered with " + reply);
        }
    }

    @Override
    public void close() throws Exception {
        stdin.close();
        loop.join(5000);
        context.close();
    }
}
