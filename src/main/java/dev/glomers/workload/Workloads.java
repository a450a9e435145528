package dev.glomers.workload;

import dev.glomers.workload.broadcast.BroadcastWorkload;
import dev.glomers.workload.counter.GCounterWorkload;
import dev.glomers.workload.counter.PnCounterWorkload;
import dev.glomers.workload.echo.EchoWorkload;
import dev.glomers.workload.gset.GSetWorkload;
import dev.glomers.workload.kafka.KafkaWorkload;
import dev.glomers.workload.linkv.LinKvWorkload;
import dev.glomers.workload.txn.TxnWorkload;
import dev.glomers.workload.txnlist.TxnListWorkload;
import dev.glomers.workload.uniqueids.UniqueIdsWorkload;
import java.util.Arrays;
import java.util.List;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Profile;

/**
 * Every workload, one line each. Each is a bean guarded by its {@code @Profile}, so the active
 * profile picks the node's behaviour. Listed rather than scanned: start-up reads no classpath.
 */
@Configuration(proxyBeanMethods = false)
@Import({
        EchoWorkload.class,
        UniqueIdsWorkload.class,
        KafkaWorkload.class,
        TxnWorkload.class,
        BroadcastWorkload.class,
        GCounterWorkload.class, PnCounterWorkload.class, GSetWorkload.class,
        LinKvWorkload.class, TxnListWorkload.class,
})
public class Workloads {

    /** The workload names, read from the profiles of the classes above. */
    public static List<String> names() {
        return Arrays.stream(Workloads.class.getAnnotation(Import.class).value())
                .map(type -> type.getAnnotation(Profile.class))
                .flatMap(profile -> Arrays.stream(profile.value()))
                .toList();
    }
}
