package dev.glomers;

import dev.glomers.cluster.ClusterRunner;
import dev.glomers.node.Node;
import java.util.Arrays;
import dev.glomers.node.StdioLoop;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The standalone node: one JVM, one Spring context, stdin and stdout as the wire. The workload is
 * the active profile: {@code java -jar glomers.jar --spring.profiles.active=broadcast}.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@Import(NodeApplication.class)
public class GlomersApplication {

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("cluster")) {
            // The local cluster runner is a tool, not a node: no Spring, and stdout is its report.
            ClusterRunner.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        // stdout is the wire: whatever else prints goes to stderr.
        System.setOut(System.err);
        // Logback configures itself from logback.xml (stderr only); Spring's logging set-up is start-up time we don't need.
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        // Spring Boot warms a few things on a background thread; a node uses none of them (~5-10% of its start CPU).
        System.setProperty("spring.backgroundpreinitializer.ignore", "true");
        StartFailure.takeOverReporting();
        org.springframework.context.ConfigurableApplicationContext context;
        try {
            org.springframework.boot.SpringApplication application = NodeApplication.application(GlomersApplication.class);
            String dataDir = System.getenv("GLOMERS_DATA_DIR");
            if (dataDir != null && !dataDir.isBlank()) {
                // The standalone node only (the node host's nodes get --glomers.data-dir each): a command-line value wins.
                application.setDefaultProperties(java.util.Map.of(dev.glomers.node.NodeConfiguration.DATA_DIR, dataDir));
            }
            context = application.run(args);
        } catch (RuntimeException startFailed) {
            System.err.println("glomers: " + StartFailure.describe(startFailed));
            if (!StartFailure.isUsageMistake(startFailed)) {
                startFailed.printStackTrace();
            }
            System.exit(1);
            return;
        }
        System.exit(org.springframework.boot.SpringApplication.exit(context));
    }

    @Bean
    StdioLoop stdioLoop(Node node) {
        return new StdioLoop(node);
    }
}
