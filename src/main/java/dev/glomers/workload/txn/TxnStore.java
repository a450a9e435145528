package dev.glomers.workload.txn;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One node's registers: the pure state machine (no threads, no clock but its own Lamport counter).
 *
 * <p>A client transaction runs here to completion in one call, so no other transaction ever sees
 * part of it (the node runs every handler on one thread). Its writes are buffered and installed
 * together at commit under one fresh {@link Version}; only the last write per key is kept, so an
 * intermediate value never leaves the transaction (no G1b). Writes of other nodes arrive as whole
 * committed transactions and are merged key by key, last writer wins by version.
 *
 * <p>Why the Lamport clock matters: merging advances the clock past every version seen, so a
 * transaction that has seen another one's writes gets a larger version. Then every read-from (wr)
 * and every version-order (ww) dependency points from a smaller version to a larger one, and the
 * dependency graph over ww and wr edges cannot have a cycle: no G0, no G1c.
 */
public final class TxnStore {

    /** A key's current value and the version of the transaction that wrote it. */
    public record Register(JsonNode value, Version version) {
    }

    /** One key's final value in a committed transaction. */
    public record Write(JsonNode key, JsonNode value) {
    }

    /** The write set of a committed transaction, as it is replicated. */
    public record Committed(Version version, List<Write> writes) {
    }

    /** A finished client transaction: the ops with reads filled in, and its write set (null when it wrote nothing). */
    public record Outcome(List<MicroOp> completed, Committed committed) {
    }

    private final Map<JsonNode, Register> registers = new HashMap<>();
    private final String nodeId;
    private long clock;

    public TxnStore(String nodeId) {
        this.nodeId = nodeId;
    }

    /** Runs a client transaction atomically against this node's state and commits it. */
    public Outcome execute(List<MicroOp> ops) {
        Map<JsonNode, JsonNode> pending = new LinkedHashMap<>();
        List<MicroOp> completed = new ArrayList<>(ops.size());
        for (MicroOp op : ops) {
            if (op.isWrite()) {
                pending.put(op.key(), op.value());
                completed.add(op);
            } else {
                JsonNode own = pending.get(op.key());
                completed.add(op.observed(own != null ? own : valueOf(op.key())));
            }
        }
        if (pending.isEmpty()) {
            return new Outcome(completed, null);
        }
        // Our clock is at least every version merged so far, so this version beats every current one.
        Version version = new Version(++clock, nodeId);
        List<Write> writes = new ArrayList<>(pending.size());
        pending.forEach((key, value) -> {
            registers.put(key, new Register(value, version));
            writes.add(new Write(key, value));
        });
        return new Outcome(completed, new Committed(version, List.copyOf(writes)));
    }

    /**
     * Merges another node's committed transaction: each key takes its write if that version is
     * newer than the key's current one. All keys change in this one call, so a reader sees either
     * none or all of the transaction's surviving writes. Merging the same transaction twice changes nothing.
     */
    public void merge(Committed other) {
        clock = Math.max(clock, other.version().clock());
        for (Write write : other.writes()) {
            Register current = registers.get(write.key());
            if (current == null || other.version().isAfter(current.version())) {
                registers.put(write.key(), new Register(write.value(), other.version()));
            }
        }
    }

    /** The key's current value, or null for a key never written. */
    public JsonNode valueOf(JsonNode key) {
        Register register = registers.get(key);
        return register == null ? null : register.value();
    }

    public Register registerOf(JsonNode key) {
        return registers.get(key);
    }

    /** Every key's current value and version (for tests comparing replicas). */
    public Map<JsonNode, Register> snapshot() {
        return Map.copyOf(registers);
    }

    public long clock() {
        return clock;
    }

    /** After a restart: the clock goes on from at least {@code recovered}, so no version is used twice. */
    public void clockAtLeast(long recovered) {
        clock = Math.max(clock, recovered);
    }

    /** How many keys were ever written. */
    public int size() {
        return registers.size();
    }
}
