package dev.glomers.workload.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glomers.NodeApplication;
import dev.glomers.testing.PipedNode;
import org.junit.jupiter.api.Test;

/** The echo profile as the standalone node runs it, over its stdin and stdout. */
class EchoNodeTest {

    @Test
    void echoesExactlyAndAnswersBadInputWithErrors() throws Exception {
        try (PipedNode node = new PipedNode("echo")) {
            node.init("n0", "n0");
            node.send("{\"src\":\"c1\",\"dest\":\"n0\",\"body\":{\"type\":\"echo\",\"msg_id\":2,\"echo\":\"Please echo 35\"}}");
            assertThat(node.read()).isEqualTo("{\"src\":\"n0\",\"dest\":\"c1\",\"body\":{\"echo\":\"Please echo 35\",\"type\":\"echo_ok\",\"in_reply_to\":2}}");

            node.send("{\"src\":\"c1\",\"dest\":\"n0\",\"body\":{\"type\":\"generate\",\"msg_id\":3}}");
            assertThat(node.read()).isEqualTo("{\"src\":\"n0\",\"dest\":\"c1\",\"body\":{\"code\":10,"
                    + "\"text\":\"message type generate is not supported\",\"type\":\"error\",\"in_reply_to\":3}}");

            node.send("{\"src\":\"c1\",\"dest\":\"n0\",\"body\":{\"type\":\"echo\",\"msg_id\":4}}");
            assertThat(node.read()).startsWith("{\"src\":\"n0\",\"dest\":\"c1\",\"body\":{\"code\":12,").endsWith("\"type\":\"error\",\"in_reply_to\":4}}");

            node.send("this is not json {");
            node.send("{\"src\":\"c2\",\"dest\":\"n0\",\"body\":{\"type\":\"echo\",\"msg_id\":5,\"echo\":{\"nested\":[1,2.5,true]}}}");
            assertThat(node.read()).isEqualTo("{\"src\":\"n0\",\"dest\":\"c2\",\"body\":{\"echo\":{\"nested\":[1,2.5,true]},\"type\":\"echo_ok\",\"in_reply_to\":5}}");
        }
    }

    @Test
    void refusesToStartWithoutAWorkload() {
        assertThatThrownBy(() -> NodeApplication.start("no-such-workload"))
                .hasStackTraceContaining("no workload selected")
                .hasStackTraceContaining("echo");
    }
}
