package dev.glomers.cluster.load;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The workbench's txn-list-append transactions (jepsen-io/elle src/elle/txn.clj {@code wr-txns}, with
 * writes turned into appends by list_append.clj): 1 to {@code maxTxnLength} micro-ops, each a read
 * {@code ["r", k, null]} or an append {@code ["append", k, v]} with even odds. Keys come from a pool of
 * {@code keyCount} active keys, exponentially distributed with base 2 as Elle draws them: the key at
 * position i of the pool is 2^i times as likely as the one at position 0. Appended values count 1, 2, ...
 * per key, so they are unique per key; drawing an append for a key that already took
 * {@code maxWritesPerKey} of them retires it (its pool slot gets a fresh key, one above the largest active
 * key) and draws again. Not thread-safe (the runner generates from one thread).
 */
public final class ListAppendGenerator {

    private final int maxTxnLength;
    private final int maxWritesPerKey;
    private final List<Integer> activeKeys = new ArrayList<>();
    private final Map<Integer, Integer> nextValue = new HashMap<>();
    /** Elle's key-dist-scale for base 2: uniform draws in [0, scale) map to pool positions. */
    private final double keyScale;

    public ListAppendGenerator(int keyCount, int maxTxnLength, int maxWritesPerKey) {
        if (keyCount < 1 || maxTxnLength < 1 || maxWritesPerKey < 1) {
            throw new IllegalArgumentException("key count, txn length and writes per key must be positive");
        }
        this.maxTxnLength = maxTxnLength;
        this.maxWritesPerKey = maxWritesPerKey;
        for (int k = 0; k < keyCount; k++) {
            activeKeys.add(k);
        }
        keyScale = (Math.pow(2, keyCount) - 1) * 2;
    }

    /** The next transaction as the JSON the client sends. */
    public ArrayNode next(Random random) {
        ArrayNode txn = JsonNodeFactory.instance.arrayNode();
        int length = 1 + random.nextInt(maxTxnLength);
        while (txn.size() < length) {
            boolean read = random.nextBoolean();
            int key = activeKeys.get(keyPosition(random));
            ArrayNode mop = txn.addArray();
            if (read) {
                mop.add("r").add(key).addNull();
                continue;
            }
            int value = nextValue.getOrDefault(key, 1);
            if (value > maxWritesPerKey) {
                txn.remove(txn.size() - 1);
                activeKeys.set(activeKeys.indexOf(key), Collections.max(activeKeys) + 1);
                continue;
            }
            nextValue.put(key, value + 1);
            mop.add("append").add(key).add(value);
        }
        return txn;
    }

    /** Position i in the pool with probability proportional to 2^i. */
    private int keyPosition(Random random) {
        int position = (int) Math.floor(Math.log(random.nextDouble() * keyScale + 2) / Math.log(2) - 1);
        return Math.max(0, Math.min(activeKeys.size() - 1, position));
    }
}
