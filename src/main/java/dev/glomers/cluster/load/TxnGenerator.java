package dev.glomers.cluster.load;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.glomers.cluster.ClusterOptions;
import dev.glomers.workload.txn.MicroOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Client transactions shaped like the workbench's txn-rw-register generator: 1 to
 * {@code maxTxnLength} micro-ops, each a read or a write with even odds, over a small pool of active
 * keys where the first key is twice as likely as the second and so on. Write values count up per key
 * from 1, so every (key, value) pair is written at most once: a read names its writer exactly. A key
 * that has taken {@code maxWritesPerKey} writes is retired for a fresh one, as the workbench does.
 * Thread-safe: client threads share one generator.
 */
public final class TxnGenerator {

    private final Random random;
    private final int maxTxnLength;
    private final int maxWritesPerKey;
    private final List<Integer> activeKeys = new ArrayList<>();
    private final Map<Integer, Integer> writesSoFar = new HashMap<>();
    private int nextFreshKey;

    public TxnGenerator(long seed, int keyCount, int maxTxnLength, int maxWritesPerKey) {
        if (keyCount < 1 || maxTxnLength < 1 || maxWritesPerKey < 1) {
            throw new IllegalArgumentException("key count, txn length and writes per key must be positive");
        }
        this.random = new Random(seed);
        this.maxTxnLength = maxTxnLength;
        this.maxWritesPerKey = maxWritesPerKey;
        for (int key = 0; key < keyCount; key++) {
            activeKeys.add(key);
        }
        nextFreshKey = keyCount;
    }

    /** Active keys when --key-count is not given: Elle's default for this key distribution. */
    public static final int DEFAULT_KEY_COUNT = 10;

    /** The workbench's defaults: 10 active keys, and --max-txn-length and --max-writes-per-key as defaulted. */
    public static TxnGenerator defaults(long seed) {
        ClusterOptions defaults = ClusterOptions.builder("txn-rw-register").build();
        return new TxnGenerator(seed, DEFAULT_KEY_COUNT, defaults.maxTxnLength(), defaults.maxWritesPerKey());
    }

    /** The next transaction, drawn with the generator's own seeded randomness. */
    public List<MicroOp> next() {
        return next(random);
    }

    /** The next transaction, drawn with {@code random} (the cluster runner's, so its seed decides). */
    public synchronized List<MicroOp> next(Random random) {
        int length = 1 + random.nextInt(maxTxnLength);
        List<MicroOp> txn = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            int key = activeKeys.get(exponentialIndex(random));
            if (random.nextBoolean()) {
                txn.add(MicroOp.read(IntNode.valueOf(key)));
            } else {
                int value = writesSoFar.merge(key, 1, Integer::sum);
                txn.add(MicroOp.write(IntNode.valueOf(key), IntNode.valueOf(value)));
                if (value >= maxWritesPerKey) {
                    activeKeys.set(activeKeys.indexOf(key), nextFreshKey++);
                }
            }
        }
        return txn;
    }

    /** Index i with probability proportional to 2^-i over the active pool. */
    private int exponentialIndex(Random random) {
        int n = activeKeys.size();
        double scale = Math.pow(2, n) - 1;
        double u = random.nextDouble() * scale;
        int index = n - 1 - (int) Math.floor(Math.log(u + 1) / Math.log(2));
        return Math.max(0, Math.min(n - 1, index));
    }
}
