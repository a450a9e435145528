package dev.glomers.workload.txn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.glomers.node.RpcError;
import java.util.ArrayList;
import java.util.List;

/**
 * One micro-operation of a transaction, {@code ["r", key, value]} or {@code ["w", key, value]}.
 * Keys and values stay JSON trees: the workbench sends integers, but any JSON value compares by value.
 */
public record MicroOp(String f, JsonNode key, JsonNode value) {

    public static final String READ = "r";
    public static final String WRITE = "w";

    public static MicroOp read(JsonNode key) {
        return new MicroOp(READ, key, NullNode.getInstance());
    }

    public static MicroOp write(JsonNode key, JsonNode value) {
        return new MicroOp(WRITE, key, value);
    }

    public boolean isRead() {
        return READ.equals(f);
    }

    public boolean isWrite() {
        return WRITE.equals(f);
    }

    /** This read with its observed value (null for a key never written). */
    public MicroOp observed(JsonNode observed) {
        return new MicroOp(f, key, observed == null ? NullNode.getInstance() : observed);
    }

    /** Parses a request's {@code txn} array; anything else is a malformed request (error 12). */
    public static List<MicroOp> parseAll(JsonNode txn) {
        if (txn == null || !txn.isArray()) {
            throw RpcError.malformed("txn must be an array of [f, key, value] micro-ops");
        }
        List<MicroOp> ops = new ArrayList<>(txn.size());
        for (JsonNode op : txn) {
            if (!op.isArray() || op.size() != 3 || !op.get(0).isTextual()) {
                throw RpcError.malformed("a micro-op is [f, key, value], got " + op);
            }
            String f = op.get(0).asText();
            if (!READ.equals(f) && !WRITE.equals(f)) {
                throw RpcError.malformed("unknown micro-op function " + f + " (expected r or w)");
            }
            ops.add(new MicroOp(f, op.get(1), op.get(2)));
        }
        return ops;
    }

    /** The ops as a JSON array; a read of a missing key is a JSON null inside its micro-op. */
    public static ArrayNode toJson(List<MicroOp> ops) {
        ArrayNode txn = JsonNodeFactory.instance.arrayNode(ops.size());
        for (MicroOp op : ops) {
            txn.addArray().add(op.f()).add(op.key()).add(op.value());
        }
        return txn;
    }
}
