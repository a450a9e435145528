package dev.glomers.fuzz;

import dev.glomers.NodeApplication;
import dev.glomers.node.Node;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
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

    /**
     * A short run first (10,000 lines, every check applies): the first context of this JVM pays for
     * loading and compiling the node's code, which the timed runs below should not measure, just as
     * the process runs meet a warm host.
     */
    @BeforeAll
    static void warmUp() throws Exception {
        fuzz(new FuzzRun("echo", FuzzRun.seed(), 10_000));
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("PROFILES")
    void aNodeSurvivesTheFuzzInputAndAnswersItsFinalRequests(String profile) throws Exception {
        FuzzRun run = new FuzzRun(profile, FuzzRun.seed(), FuzzRun.lines());
        long millis = fuzz(run);
        System.out.printf("fuzz in process: %s, %d lines in %d ms, %d lines out (%d MB)%n",
                run.describe(), FuzzRun.lines(), millis, run.outputLines(), run.outputChars() >> 20);
    }

    /** One run against a node of the run's profile, served over pipes; how long it took. */
    private static long fuzz(FuzzRun run) throws Exception {
        String profile = run.profile();
        // The junk makes a node warn some 12,000 times per run ("cannot answer ... (no msg_id)"), which
        // here would only fill the test report (megabytes per run); what a node logs, and how much, is
        // checked where it reaches a real stderr (FuzzIT, FloodIT). Errors still show.
        try (ConfigurableApplicationContext context = NodeApplication.start(profile, "--logging.level.dev.glomers.node.Node=ERROR")) {
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
            return millis;
        }
    }
}
