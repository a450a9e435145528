package dev.glomers.host;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm node host: one JVM per user and build that runs every node the thin clients ask for,
 * each node its own Spring context ({@link NodeSession}). It listens on the build's socket in the
 * private host directory and exits by itself after a quiet period with no node.
 *
 * <p>Started by {@link HostClient}, detached, with its stdout and stderr in its log file:
 * {@code NodeHost --dir=DIR --key=BUILD_KEY --quiet=60000ms}.
 */
public final class NodeHost implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeHost.class);

    private final HostPaths paths;
    private final Duration quiet;
    private final NodeLogRouter router;
    private final AtomicInteger sessionCount = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    private static final Duration HOST_LOCK_WAIT = Duration.ofSeconds(30);

    private ServerSocketChannel server;
    private FileChannel hostLockFile;
    private FileLock hostLock;
    private int activeNodes;
    private long idleSince = System.nanoTime();
    private boolean closing;
    private volatile String closeReason = "stopped";

    /** {@code router} may be null: then node logs stay in the host's log. */
    public NodeHost(HostPaths paths, Duration quiet, NodeLogRouter router) {
        this.paths = paths;
        this.quiet = quiet;
        this.router = router;
    }

    public static void main(String[] args) throws Exception {
        System.setOut(System.err); // nothing of the host's may reach a client's stdout, nor its own
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        System.setProperty("spring.backgroundpreinitializer.ignore", "true"); // as GlomersApplication
        Path dir = null;
        String key = null;
        Duration quiet = HostClient.DEFAULT_QUIET;
        for (String arg : args) {
            if (arg.startsWith("--dir=")) {
                dir = Path.of(arg.substring("--dir=".length()));
            } else if (arg.startsWith("--key=")) {
                key = arg.substring("--key=".length());
            } else if (arg.startsWith("--quiet=")) {
                quiet = HostClient.quietPeriod(arg.substring("--quiet=".length()));
            } else {
                throw new IllegalArgumentException("unknown argument " + arg);
            }
        }
        if (dir == null || key == null) {
            throw new IllegalArgumentException("usage: NodeHost --dir=DIR --key=BUILD_KEY [--quiet=60s]");
        }
        NodeHost host = new NodeHost(new HostPaths(dir, key), quiet, NodeLogRouter.install());
        if (!host.start()) {
            log.info("another node host serves {}; this one ({}) is not needed", key, ProcessHandle.current().pid());
            System.exit(0);
        }
        // Stopped from outside (SIGTERM): still take the socket and pid file away.
        Runtime.getRuntime().addShutdownHook(new Thread(host::close, "host-shutdown"));
        host.awaitClosed();
        log.info("node host {} exiting: {}", ProcessHandle.current().pid(), host.closeReason);
        System.exit(0);
    }

    /**
     * Binds the socket and starts accepting; from here on clients can connect. Returns false, doing
     * nothing, when another host of this build is serving.
     */
    public synchronized boolean start() throws IOException {
        paths.ensurePrivateDir();
        if (!lockHost()) {
            return false;
        }
        Files.deleteIfExists(paths.socket()); // left by a host that died: we hold the host lock, so it is not in use
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(paths.socket()), 64);
        Files.writeString(paths.pidFile(), ProcessHandle.current().pid() + "\n");
        idleSince = System.nanoTime();
        daemon(this::acceptLoop, "host-accept").start();
        daemon(this::watchQuietPeriod, "host-quiet").start();
        log.info("node host {} ready on {} (exits after {} ms without nodes)",
                ProcessHandle.current().pid(), paths.socket(), quiet.toMillis());
        return true;
    }

    /**
     * Takes the host lock, held for the host's life. A host on its way out still holds it for a
     * moment, so wait for it; but if a live host answers on the socket, step aside.
     */
    private boolean lockHost() throws IOException {
        hostLockFile = FileChannel.open(paths.hostLock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        long deadline = System.nanoTime() + HOST_LOCK_WAIT.toNanos();
        while (true) {
            try {
                hostLock = hostLockFile.tryLock();
            } catch (OverlappingFileLockException sameJvm) {
                hostLock = null; // another host in this JVM (tests) holds it
            }
            if (hostLock != null) {
                return true;
            }
            SocketChannel other = HostClient.tryConnect(paths.socket());
            if (other != null) {
                other.close();
                hostLockFile.close();
                return false;
            }
            if (System.nanoTime() > deadline) {
                hostLockFile.close();
                throw new IOException("another node host holds " + paths.hostLock() + " but does not answer");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }

    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    public boolean isClosed() {
        return closed.getCount() == 0;
    }

    /** Nodes running right now. */
    public synchronized int activeNodes() {
        return activeNodes;
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException closedDown) {
                return;
            } catch (IOException e) {
                log.warn("accept failed", e);
                continue;
            }
            synchronized (this) {
                if (closing) {
                    // the client sees the socket close before any answer and starts a new host
                    closeQuietly(channel);
                    continue;
                }
                activeNodes++;
            }
            String name = "node" + sessionCount.incrementAndGet();
            NodeSession session = new NodeSession(name, channel, paths.buildKey(), router);
            daemon(() -> {
                try {
                    session.run();
                } finally {
                    sessionEnded();
                }
            }, name).start();
        }
    }

    private synchronized void sessionEnded() {
        activeNodes--;
        if (activeNodes == 0) {
            idleSince = System.nanoTime();
        }
    }

    private void watchQuietPeriod() {
        long checkMillis = Math.max(20, Math.min(1000, quiet.toMillis() / 4));
        try {
            while (true) {
                Thread.sleep(checkMillis);
                synchronized (this) {
                    if (closing) {
                        return;
                    }
                    if (activeNodes == 0 && System.nanoTime() - idleSince >= quiet.toNanos()) {
                        break;
                    }
                }
            }
        } catch (InterruptedException e) {
            return;
        }
        closeReason = "no node for " + quiet.toMillis() + " ms";
        close();
    }

    /**
     * Stops taking nodes: the socket file goes first, so that a client arriving now finds no host
     * and starts a new one, instead of reaching one that is on its way out.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        try {
            Files.deleteIfExists(paths.socket());
            Files.deleteIfExists(paths.pidFile());
        } catch (IOException e) {
            log.warn("could not remove {}", paths.socket(), e);
        }
        closeQuietly(server);
        closeQuietly(hostLock);
        closeQuietly(hostLockFile);
        closed.countDown();
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            if (closeable != null) {
                closeable.close();
            }
        } catch (Exception e) {
            log.debug("close failed", e);
        }
    }
}
