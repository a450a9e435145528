package dev.glomers.workload.echo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.node.Body;
import dev.glomers.node.Node;
import org.springframework.context.annotation.Profile;

/** Part 1: answers {@code echo} with the same value, whatever JSON it is. */
@Profile("echo")
public class EchoWorkload {

    record Echo(JsonNode echo) {
    }

    record EchoOk(JsonNode echo) implements Body {
        @Override
        public String type() {
            return "echo_ok";
        }
    }

    public EchoWorkload(Node node) {
        node.handle("echo", Echo.class, (request, body) -> node.reply(request, new EchoOk(body.echo())));
    }
}
