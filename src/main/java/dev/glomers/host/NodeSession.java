package dev.glomers.host;

import dev.glomers.NodeApplication;
import dev.glomers.StartFailure;
import dev.glomers.node.EventLoop;
import dev.glomers.node.Node;
import dev.glomers.node.NodeThreads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One client connection = one node: its own Spring context with the profiles the client asked for,
 * serving the connection with the same {@link Node#serve} loop as a standalone node serves stdio.
 * Whatever goes wrong stays here: the failure goes to this node's client and the host carries on.
 */
final class NodeSession implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(NodeSession.class);

    private final String name;
    private final SocketChannel channel;
    private final String buildKey;
    private final NodeLogRouter router;

    /** Output bytes a node may have waiting for its client before it stops reading its input. */
    static final long OUTPUT_LIMIT = 1 << 20;

    NodeSession(String name, SocketChannel channel, String buildKey, NodeLogRouter router) {
        this.name = name;
        this.channel = channel;
        this.buildKey = buildKey;
        this.router = router;
    }

    @Override
    public void run() {
        NodeLogRouter.tagThread(name);
        InputStream in = HostProtocol.inputOf(channel);
        OutputStream out = HostProtocol.outputOf(channel);
        ConfigurableApplicationContext context = null;
        EventLoop loop = null;
        FrameQueue frames = null;
        int status = 1;
        try {
            HostProtocol.Hello hello = HostProtocol.Hello.readFrom(in);
            if (!hello.buildKey().equals(buildKey)) {
                HostProtocol.writeFrame(out, HostProtocol.REJECTED, ("this host serves build " + buildKey
                        + ", not " + hello.buildKey()).getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (hello.args().isEmpty()) {
                HostProtocol.writeFrame(out, HostProtocol.REJECTED, "no profiles given".getBytes(StandardCharsets.UTF_8));
                return;
            }
            HostProtocol.writeFrame(out, HostProtocol.ACCEPTED, new byte[0]);
            // From here on only the queue's own thread writes to the socket (see FrameQueue).
            FrameQueue queue = new FrameQueue(out, OUTPUT_LIMIT, task -> {
                Thread writer = new Thread(task, name + "-frames");
                writer.setDaemon(true);
                return writer;
            });
            frames = queue;
            if (router != null) {
                router.attach(name, bytes -> queue.add(HostProtocol.STDERR, bytes));
            }
            StartFailure.takeOverReporting();
            ThreadFactory threads = taggedThreads();
            loop = EventLoop.realTime(threads);
            try {
                context = startNode(hello.args(), threads, loop);
            } catch (RuntimeException startFailed) {
                String reason = StartFailure.describe(startFailed);
                queue.add(HostProtocol.STDERR, ("glomers: " + reason + "\n").getBytes(StandardCharsets.UTF_8));
                if (!StartFailure.isUsageMistake(startFailed)) {
                    log.error("node {} failed to start", name, startFailed);
                }
                return;
            }
            ClientInput input = new ClientInput(in, new NodeHold(loop.executor(), queue));
            context.getBean(Node.class).serve(queue.gate(input), new LineFrames(queue, HostProtocol.STDOUT));
            status = 0;
        } catch (ClientInput.ClientGone killed) {
            // No grace: not one more task runs (not even the ones a held node queued), then the context closes.
            if (loop != null) {
                loop.executor().shutdownNow();
            }
            log.info("{}: its client died; the node ends now", name);
        } catch (java.io.EOFException noHello) {
            log.debug("{}: connection closed before it asked for a node", name); // e.g. a host checking we're alive
        } catch (Throwable failure) {
            log.error("node {} failed", name, failure);
        } finally {
            if (context != null) {
                try {
                    context.close();
                } catch (RuntimeException e) {
                    log.warn("closing node {} failed", name, e);
                }
            }
            if (router != null) {
                router.detach(name);
            }
            if (frames != null) {
                frames.end(status);
                frames.close();
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            MDC.remove(NodeLogRouter.NODE_KEY);
        }
    }

    /** The node's threads, tagged for its log lines. */
    private ThreadFactory taggedThreads() {
        NodeThreads threads = new NodeThreads(name);
        return task -> threads.newThread(() -> {
            NodeLogRouter.tagThread(name);
            task.run();
        });
    }

    /**
     * The node's context, as NodeApplication starts any node, on an event loop of ours ({@code loop}, on the
     * tagged threads) so that the pause fault can hold it ({@link NodeHold}).
     */
    private ConfigurableApplicationContext startNode(List<String> args, ThreadFactory threads, EventLoop loop) {
        String[] springArgs = new String[args.size()];
        springArgs[0] = "--spring.profiles.active=" + args.get(0);
        for (int i = 1; i < args.size(); i++) {
            springArgs[i] = args.get(i);
        }
        SpringApplication application = NodeApplication.application(NodeApplication.class);
        application.addInitializers(context -> {
            context.getBeanFactory().registerSingleton("nodeThreads", threads);
            context.getBeanFactory().registerSingleton("eventLoop", loop);
        });
        return application.run(springArgs);
    }
}
