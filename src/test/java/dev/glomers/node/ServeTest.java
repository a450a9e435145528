package dev.glomers.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The byte-level loop: UTF-8 whatever the platform's default, one message per line, huge lines whole. */
class ServeTest {

    record Echo(JsonNode echo) {
    }

    record EchoOk(JsonNode echo) implements Body {
        @Override
        public String type() {
            return "echo_ok";
        }
    }

    private String serve(String input) throws Exception {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (Node node = new Node(new NodeThreads("serve-test"))) {
            node.handle("echo", Echo.class, (request, body) -> node.reply(request, new EchoOk(body.echo())));
            node.serve(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), output);
        }
        return output.toString(StandardCharsets.UTF_8);
    }

    private static final String INIT = "{\"src\":\"c0\",\"dest\":\"n0\",\"body\":{\"type\":\"init\",\"msg_id\":1,"
            + "\"node_id\":\"n0\",\"node_ids\":[\"n0\"]}}\n";

    @Test
    void textRoundTripsExactlyInUtf8() throws Exception {
        String text = "héllo wörld ✓ 日本語 😀 \\\" \\n";
        String output = serve(INIT + "{\"src\":\"c1\",\"dest\":\"n0\",\"body\":{\"type\":\"echo\",\"msg_id\":2,\"echo\":\"" + text + "\"}}\n");
        String[] lines = output.split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[1]).isEqualTo("{\"src\":\"n0\",\"dest\":\"c1\",\"body\":{\"echo\":\"" + text + "\",\"type\":\"echo_ok\",\"in_reply_to\":2}}");
    }

    @Test
    void megabyteLinesArriveWhole() throws Exception {
        String big = "x".repeat(3 << 20);
        String output = serve(INIT + "{\"src\":\"c1\",\"dest\":\"n0\",\"body\":{\"type\":\"echo\",\"msg_id\":2,\"echo\":\"" + big + "\"}}\n");
        String[] lines = output.split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[1]).contains(big).endsWith("\"type\":\"echo_ok\",\"in_reply_to\":2}}");
    }

    @Test
    void everyLineWrittenIsAMessage() throws Exception {
        String output = serve(INIT + "garbage\n{\"src\":\"c1\",\"dest\":\"n0\",\"body\":{\"type\":\"nope\",\"msg_id\":2}}\n"
                + "{\"src\":\"c1\",\"dest\":\"n0\",\"body\":{\"type\":\"echo\",\"msg_id\":3,\"echo\":[1,{\"a\":null}]}}\n");
        String[] lines = output.split("\n");
        assertThat(lines).hasSize(3);
        for (String line : lines) {
            assertThat(Wire.parse(line)).as(line).isNotNull();
        }
        assertThat(lines[2]).contains("\"echo\":[1,{\"a\":null}]");
    }
}
