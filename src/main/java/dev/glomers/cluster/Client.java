package dev.glomers.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A workbench client ({@code c1}, {@code c2}, ...): sends requests with its own msg_ids and hands each
 * reply to whoever waits for it. Replies that arrive after their request timed out are counted by the
 * network and otherwise ignored, as the workbench's client does.
 */
final class Client implements Network.Endpoint {

    private final String id;
    private final Network network;
    private final AtomicInteger nextMsgId = new AtomicInteger();
    private final Map<Integer, CompletableFuture<ObjectNode>> waiting = new ConcurrentHashMap<>();

    Client(String id, Network network) {
        this.id = id;
        this.network = network;
        network.register(id, this);
    }

    String id() {
        return id;
    }

    /** Sends {@code body} to {@code dest}; the future completes with the reply body or times out. */
    CompletableFuture<ObjectNode> rpc(String dest, ObjectNode body, Duration timeout) {
        int msgId = nextMsgId.incrementAndGet();
        ObjectNode request = body.deepCopy();
        request.put("msg_id", msgId);
        ObjectNode message = Json.object();
        message.put("src", id);
        message.put("dest", dest);
        message.set("body", request);
        CompletableFuture<ObjectNode> reply = new CompletableFuture<>();
        waiting.put(msgId, reply);
        reply.whenComplete((r, e) -> waiting.remove(msgId));
        network.send(message);
        return reply.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** No more requests: replies still on their way are dropped uncounted. */
    void close() {
        network.retire(id);
    }

    @Override
    public void deliver(ObjectNode message) {
        ObjectNode body = (ObjectNode) message.get("body");
        CompletableFuture<ObjectNode> reply = waiting.get(body.path("in_reply_to").asInt(-1));
        if (reply != null) {
            reply.complete(body);
        }
    }
}
