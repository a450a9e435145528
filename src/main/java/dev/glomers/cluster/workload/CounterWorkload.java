package dev.glomers.cluster.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.ClusterWorkload;
import dev.glomers.cluster.History;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.check.CounterChecker;
import dev.glomers.cluster.check.Replies;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * g-counter and pn-counter (jepsen-io/maelstrom src/maelstrom/workload/pn_counter.clj and
 * g_counter.clj). pn-counter mixes, half and half, {@code add} of a delta in [-5, 4] and {@code read};
 * g-counter is the same generator with negative adds filtered out, so a third of its operations are adds
 * of 0..4. After healing and the recovery wait every worker reads once more; those final reads must fall
 * in the acceptable set ({@link CounterChecker}).
 */
public final class CounterWorkload implements ClusterWorkload {

    private final String name;
    private final boolean growOnly;

    private CounterWorkload(String name, boolean growOnly) {
        this.name = name;
        this.growOnly = growOnly;
    }

    public static CounterWorkload growOnly() {
        return new CounterWorkload("g-counter", true);
    }

    public static CounterWorkload positiveNegative() {
        return new CounterWorkload("pn-counter", false);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Invocation nextInvocation(Random random) {
        while (true) {
            if (!random.nextBoolean()) {
                return Invocation.of("read", NullNode.instance);
            }
            long delta = random.nextInt(10) - 5;
            if (!growOnly || delta >= 0) {
                return Invocation.of("add", LongNode.valueOf(delta));
            }
            // g-counter: the workbench filters negative adds out of the same mix, then draws again
        }
    }

    @Override
    public Optional<Invocation> finalInvocation() {
        return Optional.of(new Invocation("read", NullNode.instance, true));
    }

    @Override
    public ObjectNode request(Invocation invocation) {
        ObjectNode body = Json.object();
        body.put("type", invocation.f());
        if (invocation.f().equals("add")) {
            body.set("delta", invocation.value());
        }
        return body;
    }

    @Override
    public JsonNode readReply(Invocation invocation, ObjectNode reply) throws MalformedReplyException {
        if (invocation.f().equals("add")) {
            Replies.expect(reply, "add_ok");
            return invocation.value();
        }
        Replies.expect(reply, "read_ok", "value");
        return LongNode.valueOf(Replies.integer(reply, "value"));
    }

    @Override
    public Set<Integer> definiteErrorCodes() {
        return Set.of();
    }

    @Override
    public List<CheckResult> check(History history, CheckContext context) {
        return List.of(new CounterChecker().check(history));
    }
}
