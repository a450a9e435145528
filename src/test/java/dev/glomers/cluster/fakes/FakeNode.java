package dev.glomers.cluster.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A deliberately tiny node for the runner's own tests: no Spring, one lock around all state. Subclasses
 * register handlers; every handler runs under the lock, so they need no synchronisation of their own.
 */
public abstract class FakeNode {

    interface Handler {
        void handle(ObjectNode message) throws Exception;
    }

    static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    private final Map<String, Handler> handlers = new HashMap<>();
    private final Map<Long, Consumer<ObjectNode>> callbacks = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "timer");
        t.setDaemon(true);
        return t;
    });
    private long nextMsgId = 1;
    protected String nodeId;
    protected List<String> nodeIds = new ArrayList<>();

    FakeNode() {
        on("init", m -> {
            nodeId = m.path("body").path("node_id").asText();
            m.path("body").path("node_ids").forEach(n -> nodeIds.add(n.asText()));
            onInit();
            reply(m, body("init_ok"));
        });
    }

    /** Called under the lock before init_ok. */
    void onInit() {
    }

    final void on(String type, Handler handler) {
        handlers.put(type, handler);
    }

    /** Runs {@code task} every {@code millis} ms under the lock. */
    final void every(long millis, Runnable task) {
        timer.scheduleAtFixedRate(() -> {
            synchronized (this) {
                task.run();
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
    }

    static ObjectNode body(String type) {
        ObjectNode body = JSON.createObjectNode();
        body.put("type", type);
        return body;
    }

    final void send(String dest, ObjectNode body) {
        ObjectNode message = JSON.createObjectNode();
        message.put("src", nodeId);
        message.put("dest", dest);
        message.set("body", body);
        try {
            out.println(JSON.writeValueAsString(message));
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes a raw line to stdout, e.g. a log line that has no business there. */
    final void printRaw(String line) {
        out.println(line);
        out.flush();
    }

    final void reply(ObjectNode request, ObjectNode body) {
        body.set("in_reply_to", request.path("body").path("msg_id"));
        send(request.path("src").asText(), body);
    }

    /** Sends a request; {@code callback} gets the reply body (under the lock). No timeout: tests only. */
    final void rpc(String dest, ObjectNode body, Consumer<ObjectNode> callback) {
        long msgId = nextMsgId++;
        body.put("msg_id", msgId);
        callbacks.put(msgId, callback);
        send(dest, body);
    }

    final void run() throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            ObjectNode message = (ObjectNode) JSON.readTree(line);
            JsonNode body = message.path("body");
            synchronized (this) {
                try {
                    if (body.has("in_reply_to") && callbacks.containsKey(body.get("in_reply_to").asLong())) {
                        callbacks.remove(body.get("in_reply_to").asLong()).accept((ObjectNode) body);
                        continue;
                    }
                    Handler handler = handlers.get(body.path("type").asText());
                    if (handler != null) {
                        handler.handle(message);
                    }
                } catch (Exception e) {
                    System.err.println("handler failed: " + e);
                }
            }
        }
    }
}
