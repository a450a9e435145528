package dev.glomers.cluster.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.ClusterWorkload;
import dev.glomers.cluster.History;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.check.Replies;
import dev.glomers.cluster.check.SetFullChecker;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * g-set (jepsen-io/maelstrom src/maelstrom/workload/g_set.clj): half {@code add} of 0, 1, 2, ..., half
 * {@code read} returning {@code value: [..]}; checked with set-full. After healing and the recovery wait
 * every worker reads once more, as the workbench's {@code :final-generator (gen/each-thread {:f :read})}
 * does (older versions of g_set.clj had no final reads; without them set-full judges an available set
 * by reads taken inside the last partition and reports elements from the other side as lost).
 */
public final class GSetWorkload implements ClusterWorkload {

    private long nextElement = 0;

    @Override
    public String name() {
        return "g-set";
    }

    @Override
    public Invocation nextInvocation(Random random) {
        return random.nextBoolean()
                ? Invocation.of("add", LongNode.valueOf(nextElement++))
                : Invocation.of("read", NullNode.instance);
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
            body.set("element", invocation.value());
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
        return Replies.array(reply, "value");
    }

    @Override
    public Set<Integer> definiteErrorCodes() {
        return Set.of();
    }

    @Override
    public List<CheckResult> check(History history, CheckContext context) {
        return new SetFullChecker("add").check(history);
    }
}
