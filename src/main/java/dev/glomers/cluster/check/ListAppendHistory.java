package dev.glomers.cluster.check;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.check.ListAppendChecker.Status;
import dev.glomers.cluster.check.ListAppendChecker.Txn;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A list-append history as the analysis reads it: each transaction's micro-ops with keys and elements
 * interned as small integers (so indices are cheap), and the readable names reports give them back.
 * Transactions are numbered 0..n-1 in the order given.
 */
final class ListAppendHistory {

    /** A transaction's micro-ops; {@code read[i]} is null for an append and for any read of a transaction not ok. */
    record MicroOps(boolean[] append, int[] key, int[] element, int[][] read) {
        int size() {
            return append.length;
        }
    }

    /** Micro-op {@code i} of transaction {@code t} read {@code key} as {@code read}. */
    interface ReadVisitor {
        void visit(int t, int i, int key, int[] read);
    }

    private final List<Txn> txns;
    private final MicroOps[] ops;
    private final Map<JsonNode, Integer> keyIds = new HashMap<>();
    private final List<JsonNode> keyNames = new ArrayList<>();
    private final Map<JsonNode, Integer> elementIds = new HashMap<>();
    private final List<JsonNode> elementNames = new ArrayList<>();

    /** Throws IllegalArgumentException for a micro-op that is neither a read nor an append. */
    ListAppendHistory(List<Txn> txns) {
        this.txns = txns;
        this.ops = new MicroOps[txns.size()];
        for (int t = 0; t < txns.size(); t++) {
            ops[t] = parse(txns.get(t));
        }
    }

    int size() {
        return txns.size();
    }

    Txn txn(int t) {
        return txns.get(t);
    }

    MicroOps ops(int t) {
        return ops[t];
    }

    /** Whether transaction {@code t} may have taken effect (it did not fail). */
    boolean possible(int t) {
        return txns.get(t).status() != Status.FAIL;
    }

    boolean ok(int t) {
        return txns.get(t).status() == Status.OK;
    }

    /** Visits every read of every transaction that completed ok (what the others read is unknown), in order. */
    void forEachOkRead(ReadVisitor visitor) {
        for (int t = 0; t < txns.size(); t++) {
            if (!ok(t)) {
                continue;
            }
            MicroOps p = ops[t];
            for (int i = 0; i < p.size(); i++) {
                if (p.read()[i] != null) {
                    visitor.visit(t, i, p.key()[i], p.read()[i]);
                }
            }
        }
    }

    private MicroOps parse(Txn txn) {
        JsonNode value = txn.value();
        if (value == null || !value.isArray()) {
            throw new IllegalArgumentException("transaction " + txn.id() + " is not a list of micro-ops: " + value);
        }
        int n = value.size();
        boolean[] append = new boolean[n];
        int[] key = new int[n];
        int[] element = new int[n];
        int[][] read = new int[n][];
        for (int i = 0; i < n; i++) {
            JsonNode mop = value.get(i);
            if (!mop.isArray() || mop.size() != 3) {
                throw new IllegalArgumentException("malformed micro-op in transaction " + txn.id() + ": " + mop);
            }
            String f = mop.get(0).asText();
            key[i] = keyId(mop.get(1));
            if (f.equals("append")) {
                append[i] = true;
                element[i] = elementId(mop.get(2));
            } else if (f.equals("r")) {
                JsonNode list = mop.get(2);
                if (txn.status() == Status.OK) {
                    // An ok read of null is a read of the initial (empty) state, as in Elle.
                    read[i] = new int[list.isNull() ? 0 : list.size()];
                    if (!list.isNull() && !list.isArray()) {
                        throw new IllegalArgumentException("read of a non-list in transaction " + txn.id() + ": " + mop);
                    }
                    for (int j = 0; j < read[i].length; j++) {
                        read[i][j] = elementId(list.get(j));
                    }
                }
            } else {
                throw new IllegalArgumentException("micro-op neither r nor append in transaction " + txn.id() + ": " + mop);
            }
        }
        return new MicroOps(append, key, element, read);
    }

    private int keyId(JsonNode key) {
        return keyIds.computeIfAbsent(Json.canonical(key), k -> {
            keyNames.add(k);
            return keyNames.size() - 1;
        });
    }

    private int elementId(JsonNode element) {
        return elementIds.computeIfAbsent(Json.canonical(element), e -> {
            elementNames.add(e);
            return elementNames.size() - 1;
        });
    }

    // ---- readable names ----

    JsonNode keyName(int key) {
        return keyNames.get(key);
    }

    JsonNode elementName(int element) {
        return elementNames.get(element);
    }

    String name(int t) {
        return "T" + txns.get(t).id();
    }

    String describe(int t) {
        Txn txn = txns.get(t);
        return name(t) + " (process " + txn.process() + ", " + txn.status().name().toLowerCase() + "): "
                + Json.write(txn.value());
    }

    String elements(int[] elements) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < elements.length; i++) {
            s.append(i == 0 ? "" : ", ").append(elementNames.get(elements[i]));
        }
        return s.append("]").toString();
    }

    String joined(List<Integer> elements) {
        return String.join(", ", elements.stream().map(e -> elementNames.get(e).toString()).toList());
    }
}
