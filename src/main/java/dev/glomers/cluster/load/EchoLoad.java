package dev.glomers.cluster.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.History;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.Op;
import dev.glomers.cluster.check.Replies;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * echo (jepsen-io/maelstrom src/maelstrom/workload/echo.clj): clients send "Please echo N" (N below 128);
 * every invocation must complete ok with exactly that payload. A timed-out or failed echo is an error,
 * as in the workbench's checker, which compares each invocation with its completion.
 */
public final class EchoLoad implements ClientLoad {

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public Invocation nextInvocation(Random random) {
        return Invocation.of("echo", TextNode.valueOf("Please echo " + random.nextInt(128)));
    }

    @Override
    public ObjectNode request(Invocation invocation) {
        ObjectNode body = Json.object();
        body.put("type", "echo");
        body.set("echo", invocation.value());
        return body;
    }

    @Override
    public JsonNode readReply(Invocation invocation, ObjectNode reply) throws MalformedReplyException {
        Replies.expect(reply, "echo_ok", "echo");
        return reply.get("echo");
    }

    @Override
    public List<CheckResult> check(History history, CheckContext context) {
        List<Op> ops = history.ops();
        Map<Integer, Op> completions = History.completionsByInvocation(ops);
        List<String> errors = new ArrayList<>();
        int count = 0;
        for (Op op : ops) {
            if (!op.isClientOp() || !op.isInvoke()) {
                continue;
            }
            count++;
            Op done = completions.get(op.index());
            if (done == null || !done.isOk() || !op.value().equals(done.value())) {
                errors.add("expected " + op.value() + " but got "
                        + (done == null ? "no completion" : done.type().name().toLowerCase() + " "
                                + (done.isOk() ? done.value() : done.error())));
            }
        }
        String summary = errors.isEmpty() ? count + " echoes, all exact" : errors.size() + " of " + count + " wrong";
        return List.of(new CheckResult("echo", Verdict.of(errors.isEmpty()), summary,
                Map.of("errors", errors.subList(0, Math.min(errors.size(), 20)))));
    }
}
