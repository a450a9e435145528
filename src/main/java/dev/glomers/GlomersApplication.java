package dev.glomers;

import dev.glomers.kv.KvClients;
import dev.glomers.node.Node;
import dev.glomers.node.NodeConfiguration;
import dev.glomers.node.StdioLoop;
import dev.glomers.retry.RetryConfiguration;
import dev.glomers.workload.Workloads;
import java.util.Arrays;
import java.util.List;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * A standalone node: one JVM, one Spring context, stdin and stdout as the wire. The workload is the
 * active profile: {@code java -jar glomers.jar --spring.profiles.active=broadcast}.
 *
 * <p>No auto-configuration: the context holds exactly the runtime and the active workload.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@Import({NodeConfiguration.class, RetryConfiguration.class, KvClients.class, Workloads.class})
public class GlomersApplication {

    public static void main(String[] args) {
        // stdout is the wire: whatever else prints goes to stderr.
        System.setOut(System.err);
        // Logback configures itself from logback.xml (stderr only); Spring's logging set-up is start-up time we don't need.
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        System.exit(SpringApplication.exit(run(args)));
    }

    static ConfigurableApplicationContext run(String... args) {
        SpringApplication application = new SpringApplication(GlomersApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setBannerMode(Banner.Mode.OFF);
        application.setLogStartupInfo(false);
        application.addInitializers(context -> requireWorkload(List.of(context.getEnvironment().getActiveProfiles())));
        return application.run(args);
    }

    /** A node without a workload would answer every request with "not supported": refuse to start instead. */
    static void requireWorkload(List<String> activeProfiles) {
        List<String> workloads = Workloads.names();
        if (activeProfiles.stream().noneMatch(workloads::contains)) {
            throw new IllegalStateException("no workload selected (active profiles: " + activeProfiles
                    + "); start with --spring.profiles.active=WORKLOAD, one of " + workloads);
        }
    }

    @Bean
    StdioLoop stdioLoop(Node node) {
        return new StdioLoop(node);
    }
}
