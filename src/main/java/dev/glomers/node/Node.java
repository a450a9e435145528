package dev.glomers.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.storage.NodeStorage;
import dev.glomers.storage.StorageException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node: its identity, its handlers, and the verbs a workload needs: {@link #send},
 * {@link #reply}, {@link #rpc}, timers.
 *
 * <p>Threading: every handler, RPC completion and timer runs on one event-loop thread, so a
 * workload's state needs no locks as long as it is only touched from handlers, futures and timers.
 * The reader thread only parses lines; a single writer thread owns the output. A handler must never
 * block: waiting for an RPC reply on the event loop would wait forever, since the reply is
 * delivered by that same loop. Compose the {@code CompletableFuture} instead.
 */
public class Node implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Node.class);
    private static final int LOGGED_LINE_LIMIT = 200;

    /** A handler for one message type, given the request and its body read as {@code B}. */
    @FunctionalInterface
    public interface Handler<B> {
        void handle(Message request, B body) throws Exception;
    }

    private record Registration<B>(Class<B> bodyType, Handler<B> handler) {
        void invoke(Message request) throws Exception {
            handler.handle(request, Wire.read(request.body(), bodyType));
        }
    }

    private record Init(String nodeId, List<String> nodeIds) {
    }

    private final Map<String, Registration<?>> handlers = new ConcurrentHashMap<>();
    private volatile Handler<Message> otherMessages;
    private final Map<Long, CompletableFuture<Message>> pendingRpcs = new ConcurrentHashMap<>();
    private final List<Runnable> initHooks = new ArrayList<>();
    private final AtomicLong lastMsgId = new AtomicLong();
    /** A durable node's msg_ids start at run x 2^40: a trillion requests per run, 8,000 runs within JSON's exact integers. */
    private static final int RUN_ID_SHIFT = 40;
    private final ScheduledExecutorService loop;
    private final LongSupplier clock;
    private final Random random;
    private final WarningLimit badLines;
    private final WarningLimit unanswerable;
    private final ThreadFactory threads;
    private final NodeStorage storage;
    private NodeStorage.Opened openedStorage;

    private volatile Consumer<String> output = line -> log.warn("no output connected, dropped {}", line);
    private volatile String id;
    private volatile List<String> nodeIds = List.of();

    /** A node on a thread of its own and the wall clock. */
    public Node(ThreadFactory threads) {
        this(EventLoop.realTime(threads), threads);
    }

    /** A node whose work runs on {@code loop} (virtual time in the simulation); {@code threads} serve {@link #serve}. */
    public Node(EventLoop loop, ThreadFactory threads) {
        this(loop, threads, null);
    }

    /**
     * A durable node when {@code storage} is given (the node opens its data directory at {@code init}, before
     * {@code init_ok}; the {@link CoreDriver} then recovers the core from it); {@code null} keeps everything in
     * memory, as the other constructors do.
     */
    public Node(EventLoop loop, ThreadFactory threads, NodeStorage storage) {
        this.threads = threads;
        this.storage = storage;
        this.loop = loop.executor();
        this.clock = loop.clockMillis();
        this.random = loop.random();
        LongSupplier nanos = () -> clock.getAsLong() * 1_000_000;
        this.badLines = new WarningLimit(5, Duration.ofSeconds(1), nanos);
        this.unanswerable = new WarningLimit(5, Duration.ofSeconds(1), nanos);
        handle("init", Init.class, this::init);
    }

    // ---- identity -------------------------------------------------------------------------

    /** This node's id, known once {@code init} arrived. */
    public String id() {
        return id;
    }

    /** Every node of the cluster, this one included, in the order the workbench gave. */
    public List<String> nodeIds() {
        return nodeIds;
    }

    /** Every node but this one. */
    public List<String> peers() {
        return nodeIds.stream().filter(other -> !other.equals(id)).toList();
    }

    /** Runs on the event loop once {@code init} arrived and before {@code init_ok} goes out. */
    public void onInit(Runnable hook) {
        initHooks.add(hook);
    }

    private void init(Message request, Init init) {
        if (init.nodeId() == null || init.nodeIds() == null || !init.nodeIds().contains(init.nodeId())) {
            throw RpcError.malformed("init needs node_id and node_ids that contain it");
        }
        if (id != null) {
            throw RpcError.malformed("already initialised as " + id);
        }
        if (storage != null) {
            openStorage(init);
        }
        id = init.nodeId();
        nodeIds = List.copyOf(init.nodeIds());
        initHooks.forEach(Runnable::run);
        reply(request, Body.of("init_ok"));
    }

    /**
     * The storage opened at {@code init} (what an earlier run left, and where writes go), or null when the node
     * has no data directory (then nothing about durability costs anything). Read on the event loop.
     */
    NodeStorage.Opened storage() {
        return openedStorage;
    }

    /** A durable node locks its data directory, checks it is this node's, and recovers it; or refuses init (and stays uninitialised). */
    private void openStorage(Init init) {
        try {
            openedStorage = storage.open(init.nodeId(), List.copyOf(init.nodeIds()));
            // msg_ids only have to be unique per sender; a restarted one must not reuse an earlier run's, or a
            // late reply to that run (a seq-kv read, a peer's answer) would pass for the reply to a new request.
            lastMsgId.set(openedStorage.run() << RUN_ID_SHIFT);
        } catch (StorageException refused) {
            log.error(refused.getMessage());
            throw new RpcError(ErrorCode.ABORT, refused.getMessage());
        }
    }

    // ---- handlers -------------------------------------------------------------------------

    /** Registers the handler for one message type; its body is read as {@code bodyType}. */
    public <B> void handle(String type, Class<B> bodyType, Handler<B> handler) {
        if (handlers.putIfAbsent(type, new Registration<>(bodyType, handler)) != null) {
            throw new IllegalStateException("two handlers for message type " + type);
        }
    }

    /**
     * Takes every message no typed handler takes: requests of other types, and replies that no
     * {@link #rpc} waits for. This is how {@link CoreDriver} feeds a {@link Core}.
     */
    public void handleOthers(Handler<Message> handler) {
        if (otherMessages != null) {
            throw new IllegalStateException("two handlers for other messages");
        }
        otherMessages = handler;
    }

    // ---- sending --------------------------------------------------------------------------

    /** Fire and forget: no msg_id, no reply expected. */
    public void send(String dest, Body body) {
        write(dest, Wire.tree(body));
    }

    public void reply(Message request, Body body) {
        ObjectNode tree = Wire.tree(body);
        tree.put("in_reply_to", request.msgId());
        write(request.src(), tree);
    }

    /** Answers with the body the stage completes with, or with the error it fails with. */
    public void replyWhen(Message request, CompletionStage<? extends Body> answer) {
        answer.whenComplete((body, failure) -> {
            if (failure == null) {
                reply(request, body);
            } else {
                replyError(request, failure);
            }
        });
    }

    /**
     * Answers with an error: an {@link RpcError} as itself, anything else as a crash (13),
     * which is indefinite: we cannot promise an operation that blew up did not happen.
     */
    public void replyError(Message request, Throwable failure) {
        Throwable cause = RpcError.unwrap(failure);
        RpcError error;
        if (cause instanceof RpcError rpcError) {
            error = rpcError;
        } else {
            log.error("{} failed on {}", request.type(), abbreviate(request.body().toString()), cause);
            error = RpcError.crash(cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
        if (request.msgId() == 0) {
            warnLimited(unanswerable, "requests that could not be answered (no msg_id)",
                    () -> log.warn("cannot answer {} from {} (no msg_id): {}", request.type(), request.src(), error.getMessage()));
            return;
        }
        reply(request, error.toBody());
    }

    /**
     * Sends a request and returns its reply. The future fails with the {@link RpcError} of an
     * {@code error} reply, or with a timeout (code 0) when no reply came in time; either way the
     * pending entry is gone. The workbench never reports a lost message, so the timeout is ours.
     */
    public CompletableFuture<Message> rpc(String dest, Body body, Duration timeout) {
        long msgId = nextMsgId();
        CompletableFuture<Message> reply = new CompletableFuture<>();
        pendingRpcs.put(msgId, reply);
        ScheduledFuture<?> timer = loop.schedule(
                () -> reply.completeExceptionally(
                        RpcError.timeout(body.type() + " to " + dest + " timed out after " + timeout.toMillis() + " ms")),
                timeout.toNanos(), TimeUnit.NANOSECONDS);
        reply.whenComplete((message, failure) -> {
            pendingRpcs.remove(msgId);
            timer.cancel(false);
        });
        ObjectNode tree = Wire.tree(body);
        tree.put("msg_id", msgId);
        write(dest, tree);
        return reply;
    }

    /**
     * Sends a request under a fresh msg_id and returns the id; its reply goes to the handler of
     * {@link #handleOthers}, with no timeout of ours (the caller keeps its own deadline).
     */
    public long request(String dest, Body body) {
        long msgId = nextMsgId();
        request(dest, body, msgId);
        return msgId;
    }

    /** Sends a request under a msg_id taken earlier with {@link #nextMsgId} (the driver holds requests until a sync). */
    void request(String dest, Body body, long msgId) {
        ObjectNode tree = Wire.tree(body);
        tree.put("msg_id", msgId);
        write(dest, tree);
    }

    long nextMsgId() {
        return lastMsgId.incrementAndGet();
    }

    /** {@link #rpc(String, Body, Duration)} with the reply read as {@code replyType}. */
    public <R> CompletableFuture<R> rpc(String dest, Body body, Class<R> replyType, Duration timeout) {
        return rpc(dest, body, timeout).thenApply(reply -> Wire.read(reply.body(), replyType));
    }

    // ---- time -----------------------------------------------------------------------------

    /** The node's time in milliseconds since the epoch: the wall clock made monotonic, or the simulation's. */
    public long now() {
        return clock.getAsLong();
    }

    /** The node's source of chance (seeded in the simulation); use it on the event loop only. */
    public Random random() {
        return random;
    }

    /** The event loop: hand it to Resilience4j and timers so their callbacks share the handlers' thread. */
    public ScheduledExecutorService scheduler() {
        return loop;
    }

    public ScheduledFuture<?> after(Duration delay, Runnable task) {
        return loop.schedule(guarded(task), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    public ScheduledFuture<?> every(Duration period, Runnable task) {
        return loop.scheduleAtFixedRate(guarded(task), period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Runs a task on the event loop. */
    public void execute(Runnable task) {
        loop.execute(guarded(task));
    }

    private Runnable guarded(Runnable task) {
        // A periodic task that throws is silently never run again; log and keep it alive instead.
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("task failed", e);
            }
        };
    }

    // ---- the wire -------------------------------------------------------------------------

    /**
     * Serves one connection until its input ends: reads lines on the calling thread, answers
     * through a writer thread of its own. Standalone, that is stdin and stdout; in the node host,
     * a socket.
     */
    public void serve(InputStream in, OutputStream out) throws IOException {
        try (LineWriter writer = new LineWriter(out, threads)) {
            connect(writer::write);
            BufferedReader reader = new BufferedReader(new InputStreamReader(writer.gate(in), StandardCharsets.UTF_8), 1 << 16);
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                receive(line);
            }
            drainLoop();
        }
    }

    /** Where outgoing lines go; {@link #serve} connects its writer, tests an in-memory network. */
    public void connect(Consumer<String> output) {
        this.output = output;
    }

    /** Takes one incoming line: parsed here, handled on the event loop. */
    public void receive(String line) {
        if (line.isBlank()) {
            return;
        }
        Message message = Wire.parse(line);
        if (message == null) {
            warnLimited(badLines, "lines that are not messages",
                    () -> log.warn("ignored a line that is not a message: {}", abbreviate(line)));
            return;
        }
        try {
            loop.execute(() -> dispatch(message));
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            log.debug("node closed, dropped {}", message.type());
        }
    }

    /**
     * A warning that a flood of bad input could repeat endlessly: the first few of a burst in full,
     * then a count once per period ({@link WarningLimit}), so the flood never becomes one on stderr.
     */
    private void warnLimited(WarningLimit limit, String countedAs, Runnable warnInFull) {
        switch (limit.admit()) {
            case LOG -> warnInFull.run();
            case COUNT_AND_SCHEDULE_REPORT -> reportCountLater(limit, countedAs);
            case COUNT -> { }
        }
    }

    /** One period from now, on the event loop: how many went unlogged, then again while they come. */
    private void reportCountLater(WarningLimit limit, String countedAs) {
        try {
            loop.schedule(() -> {
                long ignored = limit.takeCount();
                if (ignored > 0) {
                    log.warn("ignored {} more {}", String.format(java.util.Locale.ROOT, "%,d", ignored), countedAs);
                    reportCountLater(limit, countedAs);
                }
            }, limit.period().toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the node is closing: nobody is left to tell
        }
    }

    private void dispatch(Message message) {
        if (message.isReply()) {
            CompletableFuture<Message> pending = pendingRpcs.remove(message.inReplyTo());
            if (pending != null) {
                if ("error".equals(message.type())) {
                    pending.completeExceptionally(new RpcError(
                            message.body().path("code").asInt(ErrorCode.CRASH.code()),
                            message.body().path("text").asText("")));
                } else {
                    pending.complete(message);
                }
                return;
            }
            if (!handlers.containsKey(message.type()) && otherMessages == null) {
                log.debug("late reply {} from {} for {}", message.type(), message.src(), message.inReplyTo());
                return;
            }
        }
        Registration<?> registration = handlers.get(message.type());
        if (registration == null && otherMessages == null) {
            replyError(message, RpcError.notSupported("message type " + message.type() + " is not supported"));
            return;
        }
        if (id == null && !"init".equals(message.type())) {
            replyError(message, RpcError.unavailable("not initialised yet"));
            return;
        }
        try {
            if (registration != null) {
                registration.invoke(message);
            } else {
                otherMessages.handle(message, message);
            }
        } catch (Exception | StackOverflowError e) {
            replyError(message, e);
        }
    }

    private void write(String dest, ObjectNode body) {
        output.accept(Wire.line(id == null ? "" : id, dest, body));
    }

    /** Lets work already queued on the loop (answers to the last lines read) finish. */
    private void drainLoop() {
        try {
            loop.submit(() -> { }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("event loop did not drain", e);
        }
    }

    /** RPCs still waiting for a reply (tests check that none leak). */
    int pendingRpcCount() {
        return pendingRpcs.size();
    }

    @Override
    public void close() {
        loop.shutdownNow();
        if (storage != null) {
            storage.close(); // a killed node syncs nothing more
        }
        pendingRpcs.values().forEach(pending -> pending.completeExceptionally(RpcError.crash("node closed")));
    }

    private static String abbreviate(String text) {
        return text.length() <= LOGGED_LINE_LIMIT ? text : text.substring(0, LOGGED_LINE_LIMIT) + "...";
    }
}
