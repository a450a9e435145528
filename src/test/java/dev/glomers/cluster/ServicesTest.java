package dev.glomers.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.Services.Service;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServicesTest {

    private static ObjectNode read(Object key) {
        ObjectNode body = Json.object().put("type", "read");
        body.set("key", Json.valueOf(key));
        return body;
    }

    private static ObjectNode write(Object key, Object value) {
        ObjectNode body = Json.object().put("type", "write");
        body.set("key", Json.valueOf(key));
        body.set("value", Json.valueOf(value));
        return body;
    }

    private static ObjectNode cas(Object key, Object from, Object to, boolean create) {
        ObjectNode body = Json.object().put("type", "cas");
        body.set("key", Json.valueOf(key));
        body.set("from", Json.valueOf(from));
        body.set("to", Json.valueOf(to));
        if (create) {
            body.put("create_if_not_exists", true);
        }
        return body;
    }

    private static String type(ObjectNode reply) {
        return reply.path("type").asText() + (reply.has("code") ? " " + reply.get("code").asInt() : "");
    }

    @Test
    void linKvReadWriteAndCompareAndSet() {
        Service kv = Services.create("lin-kv", new Random(1));
        assertThat(type(kv.handle("n0", read("x")))).isEqualTo("error 20");
        assertThat(type(kv.handle("n0", cas("x", 0, 1, false)))).isEqualTo("error 20");
        assertThat(type(kv.handle("n0", cas("x", 0, 1, true)))).isEqualTo("cas_ok");
        assertThat(kv.handle("n1", read("x")).get("value").asLong()).isEqualTo(1);
        assertThat(type(kv.handle("n1", cas("x", 0, 2, true)))).isEqualTo("error 22");
        assertThat(type(kv.handle("n1", cas("x", 1, 2, false)))).isEqualTo("cas_ok");
        assertThat(type(kv.handle("n0", write("x", 5)))).isEqualTo("write_ok");
        assertThat(kv.handle("n0", read("x")).get("value").asLong()).isEqualTo(5);
        // integers compare by value whatever their JSON width
        assertThat(type(kv.handle("n0", cas("x", 5L, 6, false)))).isEqualTo("cas_ok");
        assertThat(type(kv.handle("n0", Json.object().put("type", "frob")))).isEqualTo("error 10");
    }

    @Test
    void seqKvServesAClientThatIsBehindAnOlderState() {
        Service kv = Services.create("seq-kv", new Random(7));
        kv.handle("n0", write("x", 1));
        // n1 has seen nothing: it is served a state from before n0's write
        assertThat(type(kv.handle("n1", read("x")))).isEqualTo("error 20");
        // the writer itself is at the newest state
        assertThat(kv.handle("n0", read("x")).get("value").asLong()).isEqualTo(1);
        // a write that changes something moves n1 to the newest state
        kv.handle("n1", write("y", 1));
        assertThat(kv.handle("n1", read("x")).get("value").asLong()).isEqualTo(1);
    }

    @Test
    void seqKvReadsAreStaleButNeverGoBackInTime() {
        Service kv = Services.create("seq-kv", new Random(3));
        for (int i = 1; i <= 20; i++) {
            kv.handle("writer", write("x", i));
        }
        List<Long> seen = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ObjectNode reply = kv.handle("reader", read("x"));
            seen.add(reply.has("value") ? reply.get("value").asLong() : 0);
        }
        assertThat(seen).isSorted();
        assertThat(seen).allMatch(v -> v < 20); // a reader that never writes never sees the newest state
        assertThat(new HashSet<>(seen)).hasSizeGreaterThan(1);
    }

    @Test
    void seqKvCompareAndSetAgainstAStaleValueFailsAndCatchesTheClientUp() {
        Service kv = Services.create("seq-kv", new Random(5));
        kv.handle("n0", write("c", 1));
        kv.handle("n0", cas("c", 1, 2, false));
        // n1 has seen nothing; its cas lands on a random old state. Where c is missing it fails with 20;
        // where c is 1 it would change something, so it is decided on the newest state (c = 2) and fails
        // with 22, and n1 is now at the newest state.
        String outcome = "error 20";
        for (int i = 0; i < 100 && outcome.equals("error 20"); i++) {
            outcome = type(kv.handle("n1", cas("c", 1, 3, false)));
        }
        assertThat(outcome).isEqualTo("error 22");
        assertThat(kv.handle("n1", read("c")).get("value").asLong()).isEqualTo(2);
    }

    @Test
    void lwwKvReplicasDisagree() {
        Service kv = Services.create("lww-kv", new Random(11));
        kv.handle("n0", write("x", 1));
        Set<String> outcomes = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            outcomes.add(type(kv.handle("n0", read("x"))));
        }
        assertThat(outcomes).containsExactlyInAnyOrder("read_ok", "error 20");
    }

    @Test
    void tsoCountsFromZero() {
        Service tso = Services.create("lin-tso", new Random(1));
        ObjectNode ts = Json.object().put("type", "ts");
        assertThat(tso.handle("n0", ts).get("ts").asLong()).isZero();
        assertThat(tso.handle("n1", ts).get("ts").asLong()).isEqualTo(1);
    }
}
