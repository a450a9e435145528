package dev.glomers.workload.txnlist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.glomers.node.Body;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.raft.StateMachine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * txn-list-append as Raft replicates it: a transaction is one log entry, applied atomically in log
 * order, so the committed history is one serial order that also respects real time (an entry is
 * appended after its client asked and applied before it is answered): strict serializability.
 * {@code ["r", k, null]} reads key k's list, {@code ["append", k, v]} appends v to it.
 */
public final class TxnListStateMachine implements StateMachine<ArrayNode, ArrayNode> {

    record TxnOk(ArrayNode txn) implements Body {
        @Override
        public String type() {
            return "txn_ok";
        }
    }

    private final Map<JsonNode, List<JsonNode>> lists = new HashMap<>();

    @Override
    public ArrayNode command(Message request) {
        if (!"txn".equals(request.type())) {
            throw RpcError.notSupported("txn-list-append takes txn, not " + request.type());
        }
        JsonNode txn = request.body().get("txn");
        if (txn == null || !txn.isArray()) {
            throw RpcError.malformed("txn needs a txn array");
        }
        for (JsonNode op : txn) {
            String f = op.path(0).asText();
            if (!op.isArray() || op.size() != 3 || !(f.equals("r") || f.equals("append")) || op.get(1).isNull()) {
                throw RpcError.malformed("a micro-op is [\"r\", key, null] or [\"append\", key, value]: " + op);
            }
        }
        return (ArrayNode) txn;
    }

    @Override
    public ArrayNode apply(ArrayNode txn) {
        ArrayNode done = Wire.JSON.createArrayNode();
        for (JsonNode op : txn) {
            JsonNode key = op.get(1);
            ArrayNode result = done.addArray().add(op.get(0)).add(key);
            if (op.get(0).asText().equals("r")) {
                ArrayNode read = result.addArray();
                lists.getOrDefault(key, List.of()).forEach(read::add);
            } else {
                lists.computeIfAbsent(key, k -> new ArrayList<>()).add(op.get(2));
                result.add(op.get(2));
            }
        }
        return done;
    }

    /** A transaction of reads only: answered with a read index, without a log entry. */
    @Override
    public boolean readOnly(ArrayNode txn) {
        for (JsonNode op : txn) {
            if (!op.path(0).asText().equals("r")) {
                return false;
            }
        }
        return true;
    }

    /** {@link #apply} changes nothing for a transaction of reads only. */
    @Override
    public ArrayNode query(ArrayNode txn) {
        return apply(txn);
    }

    @Override
    public void answer(Message request, ArrayNode result, Effects out) {
        out.reply(request, new TxnOk(result));
    }

    /** The lists as {@code [[key, [value, ...]], ...]}. */
    @Override
    public JsonNode snapshot() {
        ArrayNode pairs = Wire.JSON.createArrayNode();
        lists.forEach((key, values) -> {
            ArrayNode pair = pairs.addArray().add(key);
            values.forEach(pair.addArray()::add);
        });
        return pairs;
    }

    @Override
    public void restore(JsonNode snapshot) {
        lists.clear();
        for (JsonNode pair : snapshot) {
            List<JsonNode> values = new ArrayList<>();
            pair.get(1).forEach(values::add);
            lists.put(pair.get(0), values);
        }
    }

    @Override
    public JsonNode encode(ArrayNode command) {
        return command;
    }

    @Override
    public ArrayNode decode(JsonNode encoded) {
        return (ArrayNode) encoded;
    }
}
