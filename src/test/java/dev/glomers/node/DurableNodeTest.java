package dev.glomers.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.NodeApplication;
import dev.glomers.sim.DurableCounterCore;
import dev.glomers.storage.FileDisk;
import dev.glomers.storage.NodeStorage;
import dev.glomers.testing.Lines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/** Durable nodes on real files and real threads: the production path end to end. */
class DurableNodeTest {

    @TempDir
    Path directory;

    private static String init(String nodeId, String nodeIds) {
        return "{\"src\":\"c0\",\"dest\":\"" + nodeId + "\",\"body\":{\"type\":\"init\",\"msg_id\":1,\"node_id\":\"" + nodeId
                + "\",\"node_ids\":" + nodeIds + "}}";
    }

    private static String request(int msgId, String body) {
        return "{\"src\":\"c1\",\"dest\":\"n0\",\"body\":{\"msg_id\":" + msgId + "," + body + "}}";
    }

    private Node durableCounter(Lines out) {
        NodeThreads threads = new NodeThreads("durable-test");
        Node node = new Node(EventLoop.realTime(threads), threads, NodeStorage.inDirectory(directory));
        node.connect(out);
        CoreDriver.drive(node, () -> new DurableCounterCore(true, 3));
        return node;
    }

    @Test
    void acknowledgedAddsSurviveTheNodeAndComeBackToItsNextIncarnation() {
        Lines out = new Lines();
        try (Node node = durableCounter(out)) {
            node.receive(init("n0", "[\"n0\"]"));
            assertThat(out.nextJson().path("body").path("type").asText()).isEqualTo("init_ok");
            for (int i = 1; i <= 7; i++) {
                node.receive(request(i + 1, "\"type\":\"add\",\"delta\":" + i));
            }
            for (int i = 1; i <= 7; i++) {
                assertThat(out.nextJson().path("body").path("in_reply_to").asInt()).isEqualTo(i + 1); // in order
            }
        }
        Lines again = new Lines();
        try (Node node = durableCounter(again)) {
            node.receive(init("n0", "[\"n0\"]"));
            assertThat(again.nextJson().path("body").path("type").asText()).isEqualTo("init_ok");
            node.receive(request(2, "\"type\":\"read\""));
            assertThat(again.nextJson().path("body").path("value").asLong()).isEqualTo(28);
        }
    }

    @Test
    void aRestartedNodeNumbersItsRequestsAboveEveryEarlierRunsSoALateReplyIsNeverTakenForANewOne() {
        long lastOfEarlierRun = 0;
        for (int run = 1; run <= 3; run++) {
            Lines out = new Lines();
            try (Node node = durableCounter(out)) {
                node.receive(init("n0", "[\"n0\"]"));
                assertThat(out.nextJson().path("body").path("type").asText()).isEqualTo("init_ok");
                long first = node.request("seq-kv", Body.of("read"));
                long second = node.request("seq-kv", Body.of("read"));
                assertThat(first).as("run %d", run).isGreaterThan(lastOfEarlierRun);
                assertThat(second).isEqualTo(first + 1);
                lastOfEarlierRun = second + 1_000_000; // as if this run had sent a million more
            }
        }
    }

    @Test
    void aNodeGivenAnotherNodesDirectoryAnswersInitWithOneClearErrorAndStaysUninitialised() {
        Lines first = new Lines();
        try (Node node = durableCounter(first)) {
            node.receive(init("n0", "[\"n0\",\"n1\"]"));
            assertThat(first.nextJson().path("body").path("type").asText()).isEqualTo("init_ok");
        }
        Lines out = new Lines();
        Path lastDirectory = directory;
        try (Node node = durableCounter(out)) {
            node.receive(init("n1", "[\"n0\",\"n1\"]"));
            JsonNode refused = out.nextJson().path("body");
            assertThat(refused.path("type").asText()).isEqualTo("error");
            assertThat(refused.path("code").asInt()).isEqualTo(14);
            assertThat(refused.path("text").asText()).isEqualTo("data directory " + lastDirectory
                    + " belongs to node n0 of cluster [n0,n1], not to node n1 of cluster [n0,n1]; refusing to start");
            node.receive(request(2, "\"type\":\"read\""));
            assertThat(out.nextJson().path("body").path("code").asInt()).isEqualTo(11); // not initialised
        }
    }

    @Test
    void aSpringNodeIsDurableOnlyWithADataDirectory() throws Exception {
        try (ConfigurableApplicationContext context = NodeApplication.start("echo", "--glomers.data-dir=" + directory)) {
            Node node = context.getBean(Node.class);
            Lines out = new Lines();
            node.connect(out);
            node.receive(init("n0", "[\"n0\"]"));
            assertThat(out.nextJson().path("body").path("type").asText()).isEqualTo("init_ok");
            assertThat(node.storage()).isNotNull();
            assertThat(Files.exists(directory.resolve("identity"))).isTrue();
        }
        FileDisk.open(directory, Duration.ZERO).close(); // the closed context let the directory go
        try (ConfigurableApplicationContext context = NodeApplication.start("echo")) {
            Node node = context.getBean(Node.class);
            Lines out = new Lines();
            node.connect(out);
            node.receive(init("n0", "[\"n0\"]"));
            assertThat(out.nextJson().path("body").path("type").asText()).isEqualTo("init_ok");
            assertThat(node.storage()).isNull();
        }
    }
}
