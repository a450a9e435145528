package dev.glomers.cluster.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.check.Replies;
import dev.glomers.node.ErrorCode;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The workbench's transactional client, shared by txn-rw-register and txn-list-append: it sends
 * {@code txn {txn: [[f, key, value], ...]}}, takes a {@code txn_ok} holding the same micro-ops in the same
 * order (the workload says which values may come back, {@link #valueFits}), and records every definite
 * error as a failed transaction (one that did not happen).
 */
abstract class TxnClientLoad implements ClientLoad {

    /** Whether {@code value} may come back in the place of {@code asked}'s value. */
    abstract boolean valueFits(JsonNode asked, JsonNode value);

    @Override
    public final ObjectNode request(Invocation invocation) {
        ObjectNode body = Json.object();
        body.put("type", "txn");
        body.set("txn", invocation.value());
        return body;
    }

    @Override
    public final JsonNode readReply(Invocation invocation, ObjectNode reply) throws MalformedReplyException {
        return Replies.txnOk(reply, invocation.value(), this::valueFits);
    }

    @Override
    public final Set<Integer> definiteErrorCodes() {
        return Arrays.stream(ErrorCode.values()).filter(ErrorCode::definite).map(ErrorCode::code)
                .collect(Collectors.toSet());
    }
}
