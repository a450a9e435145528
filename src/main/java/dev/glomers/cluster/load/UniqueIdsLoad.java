package dev.glomers.cluster.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.History;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.Op;
import dev.glomers.cluster.check.Replies;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * unique-ids (jepsen-io/maelstrom src/maelstrom/workload/unique_ids.clj, checked by
 * jepsen.checker/unique-ids): clients only send {@code generate}; every id returned in an ok reply must be
 * distinct (any JSON value; 1 and 1.0 are different ids, as in the workbench).
 */
public final class UniqueIdsLoad implements ClientLoad {

    @Override
    public String name() {
        return "unique-ids";
    }

    @Override
    public Invocation nextInvocation(Random random) {
        return Invocation.of("generate", NullNode.instance);
    }

    @Override
    public ObjectNode request(Invocation invocation) {
        ObjectNode body = Json.object();
        body.put("type", "generate");
        return body;
    }

    @Override
    public JsonNode readReply(Invocation invocation, ObjectNode reply) throws MalformedReplyException {
        Replies.expect(reply, "generate_ok", "id");
        return reply.get("id");
    }

    @Override
    public List<CheckResult> check(History history, CheckContext context) {
        long attempted = 0;
        long acknowledged = 0;
        Map<JsonNode, Integer> counts = new HashMap<>();
        for (Op op : history.ops()) {
            if (!op.isClientOp() || !op.f().equals("generate")) {
                continue;
            }
            if (op.isInvoke()) {
                attempted++;
            } else if (op.isOk()) {
                acknowledged++;
                counts.merge(op.value(), 1, Integer::sum);
            }
        }
        Map<String, Integer> duplicated = new LinkedHashMap<>();
        counts.forEach((id, n) -> {
            if (n > 1 && duplicated.size() < 20) {
                duplicated.put(id.toString(), n);
            }
        });
        long duplicateCount = counts.values().stream().filter(n -> n > 1).count();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("attempted-count", attempted);
        details.put("acknowledged-count", acknowledged);
        details.put("duplicated-count", duplicateCount);
        details.put("duplicated", duplicated);
        String summary = duplicateCount == 0 ? acknowledged + " ids, all distinct"
                : duplicateCount + " ids returned more than once, e.g. " + duplicated;
        return List.of(new CheckResult("unique-ids", Verdict.of(duplicateCount == 0), summary, details));
    }
}
