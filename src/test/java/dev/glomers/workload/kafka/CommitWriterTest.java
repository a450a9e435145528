package dev.glomers.workload.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Body;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.retry.Retries;
import dev.glomers.retry.RetryProperties;
import io.github.resilience4j.retry.Retry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The write-behind of committed offsets alone, its lin-kv answered by hand, time given explicitly. */
class CommitWriterTest {

    /** application.yml's kafka-commit policy. */
    private static final Retry KAFKA_COMMIT = new Retries(new RetryProperties(Map.of("kafka-commit",
            new RetryProperties.Policy(30, java.time.Duration.ofMillis(2), 2, java.time.Duration.ofMillis(100), List.of(0, 20, 22)))),
            null).policy("kafka-commit");

    /** Records what the writer does; lin-kv requests get ids 1, 2, 3, ... */
    private static final class Recorded implements Effects {
        final List<Body> requests = new ArrayList<>();
        final List<String> answers = new ArrayList<>();

        @Override
        public void send(String dest, Body body) {
            throw new AssertionError("the writer only sends requests");
        }

        @Override
        public void reply(Message request, Body body) {
            answers.add(Wire.tree(body).toString());
        }

        @Override
        public void fail(Message request, RpcError error) {
            answers.add("error " + error.code());
        }

        @Override
        public long request(String dest, Body body) {
            assertThat(dest).isEqualTo("lin-kv");
            requests.add(body);
            return requests.size();
        }

        String lastType() {
            return requests.get(requests.size() - 1).type();
        }
    }

    private static Message client(String type) {
        ObjectNode body = Wire.JSON.createObjectNode().put("type", type).put("msg_id", 1);
        return new Message("c1", "n0", body);
    }

    private static Message linKv(long inReplyTo, String bodyJson) throws Exception {
        ObjectNode body = (ObjectNode) Wire.JSON.readTree(bodyJson);
        body.put("in_reply_to", inReplyTo);
        return new Message("lin-kv", "n0", body);
    }

    @Test
    void anErrorThePolicyDoesNotRetryFailsTheWaitingListAfterOneAttempt() throws Exception {
        CommitWriter writer = new CommitWriter(KAFKA_COMMIT, 500, 1000);
        Recorded out = new Recorded();
        writer.commit(Map.of("a", 1L), 0);
        writer.list(client("list_committed_offsets"), List.of("a"), 10, out);
        assertThat(out.lastType()).isEqualTo("read");
        writer.receive(linKv(1, "{\"type\":\"error\",\"code\":20}"), 20, out);
        assertThat(out.lastType()).isEqualTo("cas");
        writer.receive(linKv(2, "{\"type\":\"error\",\"code\":14,\"text\":\"abort\"}"), 30, out);
        assertThat(out.answers).containsExactly("error 14");
        assertThat(out.requests).hasSize(2);
        // Still unwritten: the write-behind tries again a flush interval later.
        assertThat(writer.wakeAt()).isEqualTo(30 + 500);
    }

    @Test
    void aContendedOrUnansweredCompareAndSetIsReadAgainAfterThePolicysWait() throws Exception {
        CommitWriter writer = new CommitWriter(KAFKA_COMMIT, 500, 1000);
        Recorded out = new Recorded();
        writer.commit(Map.of("a", 3L), 0);
        assertThat(writer.wakeAt()).isEqualTo(500);
        writer.tick(500, out);
        writer.receive(linKv(1, "{\"type\":\"read_ok\",\"value\":{\"b\":1}}"), 510, out);
        assertThat(Wire.JSON.readTree(Wire.tree(out.requests.get(1)).toString())).isEqualTo(Wire.JSON.readTree(
                "{\"type\":\"cas\",\"key\":\"kafka-committed-offsets\",\"from\":{\"b\":1},\"to\":{\"a\":3,\"b\":1}}"));
        writer.receive(linKv(2, "{\"type\":\"error\",\"code\":22}"), 520, out);
        assertThat(writer.wakeAt()).as("the policy's first wait").isEqualTo(522);
        writer.tick(522, out);
        assertThat(out.lastType()).as("the value is unknown again").isEqualTo("read");
        // No answer at all: after the request timeout it counts as error 0, and the next wait is longer.
        writer.tick(522 + 1000, out);
        assertThat(writer.wakeAt()).isEqualTo(1522 + 4);
        writer.tick(1526, out);
        assertThat(out.requests).hasSize(4);
        assertThat(writer.awaits(linKv(3, "{\"type\":\"read_ok\",\"value\":{}}"))).as("a late answer to the given-up read").isFalse();
        assertThat(writer.awaits(linKv(4, "{\"type\":\"read_ok\",\"value\":{}}"))).isTrue();
        writer.receive(linKv(4, "{\"type\":\"read_ok\",\"value\":{\"a\":1}}"), 1530, out);
        writer.receive(linKv(5, "{\"type\":\"cas_ok\"}"), 1540, out);
        assertThat(writer.wakeAt()).as("written: nothing left to do").isEqualTo(Long.MAX_VALUE);
    }
}
