package dev.glomers.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.testing.Lines;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NodeTest {

    record Ping(long seq) {
    }

    record Pong(long seq) implements Body {
        @Override
        public String type() {
            return "pong";
        }
    }

    private final Lines out = new Lines();
    private Node node;

    @BeforeEach
    void startNode() {
        node = new Node(new NodeThreads("test-node"));
        node.connect(out);
        node.handle("ping", Ping.class, (request, body) -> node.reply(request, new Pong(body.seq())));
        node.handle("boom", JsonNode.class, (request, body) -> {
            throw new IllegalStateException("kaput");
        });
        node.handle("refuse", JsonNode.class, (request, body) -> {
            throw new RpcError(ErrorCode.TXN_CONFLICT, "no");
        });
    }

    @AfterEach
    void closeNode() {
        node.close();
    }

    private void init() {
        node.receive("{\"src\":\"c0\",\"dest\":\"n1\",\"body\":{\"type\":\"init\",\"msg_id\":1,"
                + "\"node_id\":\"n1\",\"node_ids\":[\"n0\",\"n1\",\"n2\"]}}");
        assertThat(out.next()).isEqualTo("{\"src\":\"n1\",\"dest\":\"c0\",\"body\":{\"type\":\"init_ok\",\"in_reply_to\":1}}");
    }

    @Test
    void initSetsIdentityAndRunsHooksBeforeInitOk() {
        StringBuilder seenAtInit = new StringBuilder();
        node.onInit(() -> seenAtInit.append(node.id()).append(node.peers()));
        init();
        assertThat(seenAtInit).hasToString("n1[n0, n2]");
        assertThat(node.nodeIds()).containsExactly("n0", "n1", "n2");
    }

    @Test
    void repliesCarryOnlyTheRecordsFieldsAndTheRequestsId() {
        init();
        node.receive("{\"src\":\"c7\",\"dest\":\"n1\",\"body\":{\"type\":\"ping\",\"msg_id\":42,\"seq\":9}}");
        assertThat(out.next()).isEqualTo("{\"src\":\"n1\",\"dest\":\"c7\",\"body\":{\"seq\":9,\"type\":\"pong\",\"in_reply_to\":42}}");
    }

    @Test
    void unknownTypeIsNotSupported() {
        init();
        node.receive("{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"frobnicate\",\"msg_id\":5}}");
        JsonNode reply = out.nextJson().get("body");
        assertThat(reply.get("type").asText()).isEqualTo("error");
        assertThat(reply.get("code").asInt()).isEqualTo(10);
        assertThat(reply.get("in_reply_to").asLong()).isEqualTo(5);
    }

    @Test
    void missingFieldIsMalformed() {
        init();
        node.receive("{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"ping\",\"msg_id\":6}}");
        assertThat(out.nextJson().at("/body/code").asInt()).isEqualTo(12);
    }

    @Test
    void wrongFieldTypeIsMalformed() {
        init();
        node.receive("{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"ping\",\"msg_id\":6,\"seq\":\"soon\"}}");
        assertThat(out.nextJson().at("/body/code").asInt()).isEqualTo(12);
    }

    @Test
    void handlerErrorsBecomeErrorReplies() {
        init();
        node.receive("{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"refuse\",\"msg_id\":7}}");
        assertThat(out.nextJson().at("/body/code").asInt()).isEqualTo(30);
        node.receive("{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"boom\",\"msg_id\":8}}");
        JsonNode crash = out.nextJson().get("body");
        assertThat(crash.get("code").asInt()).as("an unexpected failure is indefinite").isEqualTo(13);
        assertThat(crash.get("in_reply_to").asLong()).isEqualTo(8);
    }

    @Test
    void garbageIsSkippedAndTheNextRequestAnswered() throws Exception {
        init();
        for (String garbage : new String[] {"not json", "[1,2]", "{\"src\":\"c1\"}", "{\"body\":{\"msg_id\":3}}",
                "{\"body\":{\"type\":7}}", "{\"src\":\"c1\",\"dest\":\"n1\",\"body\":\"x\"}", "{", ""}) {
            node.receive(garbage);
        }
        node.receive("{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"ping\",\"msg_id\":9,\"seq\":1}}");
        assertThat(out.nextJson().at("/body/in_reply_to").asLong()).isEqualTo(9);
        assertThat(out.quietFor(100)).isTrue();
    }

    @Test
    void requestsBeforeInitAreTemporarilyUnavailable() {
        node.receive("{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"ping\",\"msg_id\":2,\"seq\":1}}");
        assertThat(out.nextJson().at("/body/code").asInt()).isEqualTo(11);
    }

    @Test
    void rpcCompletesWithTheReplyAndIdsStartAtOne() throws Exception {
        init();
        CompletableFuture<Pong> reply = node.rpc("n2", new Pong(3), Pong.class, Duration.ofSeconds(5));
        JsonNode request = out.nextJson();
        assertThat(request.at("/body/msg_id").asLong()).isEqualTo(1);
        assertThat(request.get("dest").asText()).isEqualTo("n2");
        node.receive("{\"src\":\"n2\",\"dest\":\"n1\",\"body\":{\"type\":\"pong\",\"in_reply_to\":1,\"seq\":4}}");
        assertThat(reply.get(5, TimeUnit.SECONDS).seq()).isEqualTo(4);
    }

    @Test
    void errorReplyFailsTheRpcWithItsCode() {
        init();
        CompletableFuture<JsonNode> reply = node.rpc("lin-kv", Body.of("read"), JsonNode.class, Duration.ofSeconds(5));
        long msgId = out.nextJson().at("/body/msg_id").asLong();
        node.receive("{\"src\":\"lin-kv\",\"dest\":\"n1\",\"body\":{\"type\":\"error\",\"in_reply_to\":" + msgId
                + ",\"code\":20,\"text\":\"not found\"}}");
        assertThatThrownBy(() -> reply.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(RpcError.class, error -> {
                    assertThat(error.code()).isEqualTo(20);
                    assertThat(error.text()).isEqualTo("not found");
                });
    }

    @Test
    void rpcTimesOutWithCodeZeroAndForgetsTheRequest() throws Exception {
        init();
        CompletableFuture<Message> reply = node.rpc("n0", Body.of("ping"), Duration.ofMillis(50));
        out.next();
        assertThatThrownBy(() -> reply.get(5, TimeUnit.SECONDS))
                .cause().isInstanceOfSatisfying(RpcError.class, error -> assertThat(error.code()).isZero());
        assertThat(node.pendingRpcCount()).isZero();
        // The late reply finds nothing waiting; it is dropped without an answer.
        node.receive("{\"src\":\"n0\",\"dest\":\"n1\",\"body\":{\"type\":\"pong_late\",\"in_reply_to\":1}}");
        assertThat(out.quietFor(100)).isTrue();
    }

    @Test
    void completedRpcLeavesNothingPending() throws Exception {
        init();
        CompletableFuture<Message> reply = node.rpc("n0", Body.of("ping"), Duration.ofSeconds(5));
        long msgId = out.nextJson().at("/body/msg_id").asLong();
        node.receive("{\"src\":\"n0\",\"dest\":\"n1\",\"body\":{\"type\":\"pong\",\"in_reply_to\":" + msgId + ",\"seq\":1}}");
        reply.get(5, TimeUnit.SECONDS);
        assertThat(node.pendingRpcCount()).isZero();
    }

    @Test
    void messageIdsAreUniqueAcrossThreads() {
        init();
        Set<Long> ids = ConcurrentHashMap.newKeySet();
        IntStream.range(0, 2000).parallel().forEach(i -> node.rpc("n0", Body.of("ping"), Duration.ofSeconds(30)));
        for (int i = 0; i < 2000; i++) {
            ids.add(out.nextJson().at("/body/msg_id").asLong());
        }
        assertThat(ids).hasSize(2000).allMatch(id -> id >= 1 && id <= 2000);
    }

    @Test
    void replyWhenAnswersWithTheStagesErrorCode() {
        init();
        node.handle("later", JsonNode.class, (request, body) ->
                node.replyWhen(request, CompletableFuture.failedFuture(new RpcError(ErrorCode.TEMPORARILY_UNAVAILABLE, "owner away"))));
        node.receive("{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"later\",\"msg_id\":3}}");
        assertThat(out.nextJson().at("/body/code").asInt()).isEqualTo(11);
    }

    @Test
    void secondHandlerForOneTypeIsRefused() {
        assertThatThrownBy(() -> node.handle("ping", Ping.class, (request, body) -> { }))
                .isInstanceOf(IllegalStateException.class);
    }
}
