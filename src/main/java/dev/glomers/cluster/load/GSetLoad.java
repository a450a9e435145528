package dev.glomers.cluster.load;

/**
 * g-set (jepsen-io/maelstrom src/maelstrom/workload/g_set.clj): half {@code add} of 0, 1, 2, ..., half
 * {@code read} returning {@code value: [..]}; checked with set-full. After healing and the recovery wait
 * every worker reads once more, as the workbench's {@code :final-generator (gen/each-thread {:f :read})}
 * does (older versions of g_set.clj had no final reads; without them set-full judges an available set
 * by reads taken inside the last partition and reports elements from the other side as lost).
 */
public final class GSetLoad extends SetLoad {

    public GSetLoad() {
        super("add", "element", "value");
    }

    @Override
    public String name() {
        return "g-set";
    }
}
