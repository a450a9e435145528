package dev.glomers.cluster;

import dev.glomers.cluster.load.BroadcastLoad;
import dev.glomers.cluster.load.ClientLoad;
import dev.glomers.cluster.load.CounterLoad;
import dev.glomers.cluster.load.EchoLoad;
import dev.glomers.cluster.load.GSetLoad;
import dev.glomers.cluster.load.KafkaLoad;
import dev.glomers.cluster.load.LinKvLoad;
import dev.glomers.cluster.load.TxnListAppendLoad;
import dev.glomers.cluster.load.TxnRwRegisterLoad;
import dev.glomers.cluster.load.UniqueIdsLoad;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Maps -w names to workloads. A new workload is one class plus one line here. */
public final class WorkloadRegistry {

    private static final Map<String, Supplier<ClientLoad>> WORKLOADS = new LinkedHashMap<>();

    static {
        WORKLOADS.put("echo", EchoLoad::new);
        WORKLOADS.put("unique-ids", UniqueIdsLoad::new);
        WORKLOADS.put("broadcast", BroadcastLoad::new);
        WORKLOADS.put("g-counter", CounterLoad::growOnly);
        WORKLOADS.put("pn-counter", CounterLoad::positiveNegative);
        WORKLOADS.put("g-set", GSetLoad::new);
        WORKLOADS.put("kafka", KafkaLoad::new);
        WORKLOADS.put("txn-rw-register", TxnRwRegisterLoad::new);
        WORKLOADS.put("lin-kv", LinKvLoad::new);
        WORKLOADS.put("txn-list-append", TxnListAppendLoad::new);
    }

    private WorkloadRegistry() {
    }

    public static List<String> names() {
        return List.copyOf(WORKLOADS.keySet());
    }

    public static ClientLoad create(String name) {
        Supplier<ClientLoad> factory = WORKLOADS.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown workload " + name + "; one of " + names());
        }
        return factory.get();
    }
}
