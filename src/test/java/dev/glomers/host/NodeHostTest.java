package dev.glomers.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node host inside the test JVM, with its own private directory and clients over its real socket. */
class NodeHostTest {

    static final String KEY = "0123456789abcdef-test-jdk";
    static final String LOGGING_SYSTEM = "org.springframework.boot.logging.LoggingSystem";
    static NodeLogRouter router;

    @TempDir
    Path temp;
    HostPaths paths;
    NodeHost host;

    @BeforeAll
    static void routeNodeLogs() {
        // As in NodeHost.main: Spring must leave logback alone, or each node's start would reset it.
        System.setProperty(LOGGING_SYSTEM, "none");
        router = NodeLogRouter.install();
    }

    @AfterAll
    static void restoreLogging() {
        router.uninstall();
        System.clearProperty(LOGGING_SYSTEM);
    }

    @BeforeEach
    void startHost() throws IOException {
        paths = new HostPaths(temp.resolve("hosts"), KEY);
        host = new NodeHost(paths, Duration.ofSeconds(30), router);
        assertThat(host.start()).isTrue();
    }

    @AfterEach
    void stopHost() {
        host.close();
    }

    @Test
    void aNodeServesItsConnectionAndExitsWhenItsStdinEnds() throws Exception {
        assertThat(Files.getPosixFilePermissions(paths.dir())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        try (TestClient client = TestClient.connect(paths, KEY, "echo")) {
            client.send(TestClient.init("n3"));
            client.awaitStdout("\"init_ok\"");
            client.send(TestClient.echo("n3", 2, "hi"));
            String stdout = client.awaitStdout("\"echo_ok\"");
            client.endStdin();

            assertThat(client.awaitExit()).isZero();
            assertThat(stdout).isEqualTo("{\"src\":\"n3\",\"dest\":\"c0\",\"body\":{\"type\":\"init_ok\",\"in_reply_to\":1}}\n"
                    + "{\"src\":\"n3\",\"dest\":\"c1\",\"body\":{\"echo\":\"hi\",\"type\":\"echo_ok\",\"in_reply_to\":2}}\n");
        }
        awaitNoActiveNodes();
    }

    @Test
    void nodesAreSeparateContextsWithTheirOwnIds() throws Exception {
        try (TestClient first = TestClient.connect(paths, KEY, "unique-ids");
             TestClient second = TestClient.connect(paths, KEY, "echo")) {
            first.send(TestClient.init("n0"));
            second.send(TestClient.init("n1"));
            first.awaitStdout("\"src\":\"n0\"");
            second.awaitStdout("\"src\":\"n1\"");
            second.send(TestClient.echo("n1", 2, "two"));
            second.awaitStdout("\"echo\":\"two\"");
            first.send(TestClient.echo("n0", 2, "one"));
            assertThat(first.awaitStdout("\"in_reply_to\":2")).as("unique-ids has no echo").contains("\"code\":10");
        }
    }

    @Test
    void eachNodesLogLinesGoToItsOwnClientsStderr() throws Exception {
        try (TestClient chatty = TestClient.connect(paths, KEY, "echo");
             TestClient quiet = TestClient.connect(paths, KEY, "echo")) {
            chatty.send(TestClient.init("n0"));
            quiet.send(TestClient.init("n1"));
            chatty.awaitStdout("init_ok");
            quiet.awaitStdout("init_ok");
            chatty.send("not json at all"); // logged by the connection's reader thread
            chatty.send("{\"src\":\"c1\",\"dest\":\"n0\",\"body\":{\"type\":\"frobnicate\"}}"); // by its event loop
            String stderr = chatty.awaitStderr("cannot answer frobnicate");
            assertThat(stderr).contains("ignored a line that is not a message: not json at all");
            quiet.send(TestClient.echo("n1", 2, "x"));
            quiet.awaitStdout("echo_ok");
            assertThat(quiet.stderr()).doesNotContain("frobnicate", "not json");
        }
    }

    @Test
    void aClientOfAnotherBuildIsRefused() throws Exception {
        HostPaths otherBuild = new HostPaths(paths.dir(), KEY);
        assertThatThrownBy(() -> TestClient.connect(otherBuild, "fedcba9876543210-test-jdk", "echo"))
                .isInstanceOf(IOException.class).hasMessageContaining("refused");
        try (TestClient client = TestClient.connect(paths, KEY, "echo")) {
            client.send(TestClient.init("n0"));
            client.awaitStdout("init_ok");
        }
    }

    @Test
    void aFailingNodeTellsItsClientAndLeavesTheHostAndOtherNodesServing() throws Exception {
        try (TestClient healthy = TestClient.connect(paths, KEY, "echo")) {
            healthy.send(TestClient.init("n0"));
            healthy.awaitStdout("init_ok");

            try (TestClient broken = TestClient.connect(paths, KEY, "no-such-workload")) {
                assertThat(broken.awaitExit()).isEqualTo(1);
                broken.awaitStderr("no workload selected");
            }
            try (TestClient badSetting = TestClient.connect(paths, KEY, "echo", "--glomers.kv.timeout=soon")) {
                assertThat(badSetting.awaitExit()).isEqualTo(1);
                badSetting.awaitStderr("soon");
            }
            TestClient killed = TestClient.connect(paths, KEY, "echo");
            killed.send(TestClient.init("n2"));
            killed.awaitStdout("init_ok");
            killed.kill();

            healthy.send(TestClient.echo("n0", 2, "still here"));
            assertThat(healthy.awaitStdout("\"echo\":\"still here\"")).contains("echo_ok");
            assertThat(host.isClosed()).isFalse();
        }
        awaitNoActiveNodes();
    }

    @Test
    void aHeldNodeAnswersNothingUntilReleasedThenEverything() throws Exception {
        try (TestClient client = TestClient.connect(paths, KEY, "echo")) {
            client.send(TestClient.init("n0"));
            client.awaitStdout("init_ok");
            client.pause(); // returns once the host answered PAUSED: the node's loop is parked
            client.send(TestClient.echo("n0", 2, "held"));
            Thread.sleep(500); // nothing can come too early from a held node, whatever the load
            assertThat(client.awaitStdout("init_ok")).doesNotContain("echo_ok");

            client.resume();
            assertThat(client.awaitStdout("\"echo\":\"held\"")).contains("echo_ok");
        }
    }

    /**
     * A client whose stdin ends gets up to 5 s for its node to finish what it has; a killed one gets none:
     * its node, held here so that it could never finish, ends at once.
     */
    @Test
    void aKilledClientsNodeEndsAtOnceWithoutTheGraceOfAnEndedStdin() throws Exception {
        TestClient killed = TestClient.connect(paths, KEY, "echo");
        killed.send(TestClient.init("n0"));
        killed.awaitStdout("init_ok");
        killed.pause();
        killed.send(TestClient.echo("n0", 2, "never"));
        long before = System.nanoTime();
        killed.kill();
        long deadline = before + TimeUnit.SECONDS.toNanos(4); // the grace alone is 5 s
        while (host.activeNodes() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(host.activeNodes()).as("the node ended without its 5 s of grace").isZero();
    }

    @Test
    void aSecondHostForTheSameBuildStepsAside() throws Exception {
        NodeHost second = new NodeHost(paths, Duration.ofSeconds(30), router);
        assertThat(second.start()).isFalse();
        try (TestClient client = TestClient.connect(paths, KEY, "echo")) {
            client.send(TestClient.init("n0"));
            client.awaitStdout("init_ok");
        }
    }

    @Test
    void theHostClosesAfterItsQuietPeriodWithoutNodesAndNotBefore() throws Exception {
        host.close();
        HostPaths quietPaths = new HostPaths(temp.resolve("quiet"), KEY);
        NodeHost quiet = new NodeHost(quietPaths, Duration.ofMillis(300), router);
        assertThat(quiet.start()).isTrue();
        try (TestClient client = TestClient.connect(quietPaths, KEY, "echo")) {
            client.send(TestClient.init("n0"));
            client.awaitStdout("init_ok");
            Thread.sleep(900); // three quiet periods with a node connected
            assertThat(quiet.isClosed()).as("a host with a node stays").isFalse();
            client.endStdin();
            client.awaitExit();
        }
        long start = System.nanoTime();
        quiet.awaitClosed();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3000);
        assertThat(quietPaths.socket()).doesNotExist();
        assertThat(quietPaths.pidFile()).doesNotExist();
        assertThat(HostClient.tryConnect(quietPaths.socket())).isNull();
    }

    private void awaitNoActiveNodes() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (host.activeNodes() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(host.activeNodes()).as("every node closed").isZero();
    }
}
