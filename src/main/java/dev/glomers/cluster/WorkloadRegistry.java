package dev.glomers.cluster;

import dev.glomers.cluster.workload.BroadcastWorkload;
import dev.glomers.cluster.workload.CounterWorkload;
import dev.glomers.cluster.workload.EchoWorkload;
import dev.glomers.cluster.workload.GSetWorkload;
import dev.glomers.cluster.workload.KafkaWorkload;
import dev.glomers.cluster.workload.TxnListAppendLoad;
import dev.glomers.cluster.workload.LinKvLoad;
import dev.glomers.cluster.workload.TxnRwRegisterWorkload;
import dev.glomers.cluster.workload.UniqueIdsWorkload;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Maps -w names to workloads. A new workload is one class plus one line here. */
public final class WorkloadRegistry {

    private static final Map<String, Supplier<ClusterWorkload>> WORKLOADS = new LinkedHashMap<>();

    static {
        WORKLOADS.put("echo", EchoWorkload::new);
        WORKLOADS.put("unique-ids", UniqueIdsWorkload::new);
        WORKLOADS.put("broadcast", BroadcastWorkload::new);
        WORKLOADS.put("g-counter", CounterWorkload::growOnly);
        WORKLOADS.put("pn-counter", CounterWorkload::positiveNegative);
        WORKLOADS.put("g-set", GSetWorkload::new);
        WORKLOADS.put("kafka", KafkaWorkload::new);
        WORKLOADS.put("txn-rw-register", TxnRwRegisterWorkload::new);
        WORKLOADS.put("txn-list-append", TxnListAppendLoad::new);
        WORKLOADS.put("lin-kv", LinKvLoad::new);
    }

    private WorkloadRegistry() {
    }

    public static List<String> names() {
        return List.copyOf(WORKLOADS.keySet());
    }

    public static ClusterWorkload create(String name) {
        Supplier<ClusterWorkload> factory = WORKLOADS.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown workload " + name + "; one of " + names());
        }
        return factory.get();
    }
}
