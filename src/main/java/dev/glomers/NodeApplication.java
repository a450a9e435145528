package dev.glomers;

import dev.glomers.kv.KvClients;
import dev.glomers.node.NodeConfiguration;
import dev.glomers.retry.RetryConfiguration;
import dev.glomers.workload.Workloads;
import java.util.List;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * A node's beans: the runtime plus the workload of the active profile, and nothing that reads or
 * writes by itself. The standalone node ({@link GlomersApplication}) adds the stdio loop; tests and
 * the node host connect the {@code Node} bean to streams of their own.
 *
 * <p>No auto-configuration: the context holds exactly the runtime and the active workload.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@Import({NodeConfiguration.class, RetryConfiguration.class, KvClients.class, Workloads.class})
public class NodeApplication {

    /** A Spring application for {@code sources} (this class, or one that imports it), set up as every node is. */
    public static SpringApplication application(Class<?>... sources) {
        SpringApplication application = new SpringApplication(sources);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setBannerMode(Banner.Mode.OFF);
        application.setLogStartupInfo(false);
        application.addInitializers(context -> requireWorkload(List.of(context.getEnvironment().getActiveProfiles())));
        return application;
    }

    /** Starts a node context with {@code --spring.profiles.active=profiles} and any further Spring arguments. */
    public static ConfigurableApplicationContext start(String profiles, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "--spring.profiles.active=" + profiles;
        System.arraycopy(args, 0, all, 1, args.length);
        return application(NodeApplication.class).run(all);
    }

    /** A node without a workload would answer every request with "not supported": refuse to start instead. */
    static void requireWorkload(List<String> activeProfiles) {
        List<String> workloads = Workloads.names();
        if (activeProfiles.stream().noneMatch(workloads::contains)) {
            throw new IllegalStateException("no workload selected (active profiles: " + activeProfiles
                    + "); start with --spring.profiles.active=WORKLOAD, one of " + workloads);
        }
    }
}
