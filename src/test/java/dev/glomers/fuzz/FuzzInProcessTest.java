package dev.glomers.fuzz;

import dev.glomers.NodeApplication;
import dev.glomers.node.Node;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The fuzz run of {@link FuzzRun} for every workload profile, against a node wired as the
 * standalone application wires it, served over pipes inside the test JVM: the whole generator
 * (100,000 lines, seed {@link FuzzRun#DEFAULT_SEED}) at a fraction of a process run's cost.
 * {@code host.FuzzIT} runs the same through real processes, in all three paths, for two profiles.
 */
class FuzzInProcessTest {

    static final java.util.List<String> PROFILES = FuzzRun.PROFILES;

    @ParameterizedTest(name = "{0}")
    @FieldSource("PROFILES")
    void aNodeSurvivesTheFuzzInputAndAnswersItsFinalRequests(String profile) throws Exception {
        FuzzRun run = new FuzzRun(profile, FuzzRun.seed(), FuzzRun.lines());
        try (ConfigurableApplicationContext context = NodeApplication.start(profile)) {
            Node node = context.getBean(Node.class);
            Pipe toNode = Pipe.open();
            Pipe fromNode = Pipe.open();
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
                try (OutputStream out = Channels.newOutputStream(fromNode.sink())) {
                    node.serve(Channels.newInputStream(toNode.source()), out);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long millis = run.run(new FuzzRun.Node() {
                @Override
                public OutputStream stdin() {
                    return Channels.newOutputStream(toNode.sink());
                }

                @Override
                public InputStream stdout() {
                    return Channels.newInputStream(fromNode.source());
                }
            });
            serving.get();
            System.out.printf("fuzz in process: %s, %d lines in %d ms, %d lines out (%d MB)%n",
                    run.describe(), FuzzRun.lines(), millis, run.outputLines(), run.outputChars() >> 20);
        }
    }
}
