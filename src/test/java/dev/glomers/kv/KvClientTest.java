package dev.glomers.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.node.Node;
import dev.glomers.node.NodeThreads;
import dev.glomers.node.RpcError;
import dev.glomers.testing.Lines;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KvClientTest {

    private final Lines out = new Lines();
    private final Node node = new Node(new NodeThreads("kv-test"));
    private final KvClient kv = new KvClient(node, KvWire.LIN_KV, Duration.ofSeconds(5));

    @BeforeEach
    void init() {
        node.connect(out);
        node.receive("{\"src\":\"c0\",\"dest\":\"n0\",\"body\":{\"type\":\"init\",\"msg_id\":1,\"node_id\":\"n0\",\"node_ids\":[\"n0\"]}}");
        out.next();
    }

    @AfterEach
    void close() {
        node.close();
    }

    /** Takes the request the client sent and answers it as the service would. */
    private JsonNode answer(String replyFields) {
        JsonNode request = out.nextJson();
        node.receive("{\"src\":\"lin-kv\",\"dest\":\"n0\",\"body\":{" + replyFields + ",\"in_reply_to\":"
                + request.at("/body/msg_id").asLong() + "}}");
        return request;
    }

    @Test
    void readReturnsTheValue() throws Exception {
        CompletableFuture<Long> value = kv.read("counter", Long.class);
        JsonNode request = answer("\"type\":\"read_ok\",\"value\":42");
        assertThat(request.get("dest").asText()).isEqualTo("lin-kv");
        assertThat(request.at("/body/type").asText()).isEqualTo("read");
        assertThat(request.at("/body/key").asText()).isEqualTo("counter");
        assertThat(value.get(5, TimeUnit.SECONDS)).isEqualTo(42L);
    }

    @Test
    void missingKeyIsItsOwnType() {
        CompletableFuture<JsonNode> value = kv.read("nothing");
        answer("\"type\":\"error\",\"code\":20,\"text\":\"key does not exist\"");
        assertThatThrownBy(() -> value.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(KeyDoesNotExistException.class);
    }

    @Test
    void failedCompareAndSetIsItsOwnTypeAndCreateFlagOnlySentWhenAsked() {
        CompletableFuture<Void> cas = kv.compareAndSet("k", 1, 2, false);
        JsonNode request = answer("\"type\":\"error\",\"code\":22,\"text\":\"expected 1 but had 3\"");
        assertThat(request.at("/body").toString()).isEqualTo("{\"key\":\"k\",\"from\":1,\"to\":2,\"type\":\"cas\",\"msg_id\":1}");
        assertThatThrownBy(() -> cas.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(PreconditionFailedException.class);

        kv.compareAndSet("k", 1, 2, true);
        assertThat(out.nextJson().at("/body/create_if_not_exists").asBoolean()).isTrue();
    }

    @Test
    void writeSucceedsAndOtherErrorsKeepTheirCode() throws Exception {
        CompletableFuture<Void> write = kv.write("k", "v");
        answer("\"type\":\"write_ok\"");
        write.get(5, TimeUnit.SECONDS);

        CompletableFuture<Void> unavailable = kv.write("k", "v");
        answer("\"type\":\"error\",\"code\":11,\"text\":\"busy\"");
        assertThatThrownBy(() -> unavailable.get(5, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(RpcError.class, error -> assertThat(error.code()).isEqualTo(11));
    }
}
