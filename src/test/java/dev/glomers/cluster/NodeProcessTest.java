package dev.glomers.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.ClusterOptions.LatencyDistribution;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One node process's stdout at the end of a run (real processes over pipes). */
@Timeout(30)
class NodeProcessTest {

    @TempDir
    Path dir;

    private final ProtocolErrors errors = new ProtocolErrors();
    private final Network network = new Network(0, LatencyDistribution.CONSTANT, 1, errors);
    private final BlockingQueue<ObjectNode> atN1 = new LinkedBlockingQueue<>();

    NodeProcessTest() {
        network.register("n1", atN1::add);
    }

    @AfterEach
    void closeNetwork() {
        network.close();
    }

    private NodeProcess spawn(String script) throws Exception {
        return new NodeProcess("n0", List.of("/bin/bash", "-c", script), dir, dir.resolve("n0.log"), null, network,
                errors, Map.of());
    }

    /**
     * issue #21's invalid run: a restarted node was writing a long line when the run ended, and the runner's
     * own teardown (stdin closed, SIGTERM) cut it; the cut line was then read as the node's and rejected as
     * not JSON. Whatever a node writes once the run tears it down is not part of the run.
     */
    @Test
    void aLineCutByTheTeardownIsNotAProtocolError() throws Exception {
        // One whole message, then the start of a long one, then the node waits (until stdin ends or SIGTERM).
        NodeProcess node = spawn("printf '%s\\n' '{\"src\":\"n0\",\"dest\":\"n1\",\"body\":{\"type\":\"first\"}}';"
                + " printf '%s' '{\"src\":\"n0\",\"dest\":\"n1\",\"body\":{\"txns\":[{\"seq\":1,\"clock\":1,';"
                + " read -r nothing");
        ObjectNode first = atN1.poll(10, TimeUnit.SECONDS);
        assertThat(first).as("the whole line went onto the network").isNotNull();
        assertThat(first.path("body").path("type").asText()).isEqualTo("first");

        node.close(); // returns once the process is gone and its stdout has been read to the end

        assertThat(errors.examples()).isEmpty();
        assertThat(dir.resolve("n0.stdout-rejected")).doesNotExist();
        // A line that is not JSON during the run is still rejected whole: ClusterRunnerTest (a noisy node).
    }
}
