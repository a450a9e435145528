package dev.glomers.cluster.fakes;

/**
 * Echo. Modes: {@code correct}; {@code wrong} answers with a different payload; {@code noisy} logs a line
 * to stdout on its first echo, as a careless logger would; {@code extra} adds a field to echo_ok.
 */
public final class EchoNode extends FakeNode {

    private boolean logged;

    EchoNode(String mode) {
        on("echo", m -> {
            if (mode.equals("noisy") && !logged) {
                printRaw("INFO handling echo");
                logged = true;
            }
            var reply = body("echo_ok");
            String echo = m.path("body").path("echo").asText();
            reply.put("echo", mode.equals("wrong") ? echo + "!" : echo);
            if (mode.equals("extra")) {
                reply.put("node", nodeId);
            }
            reply(m, reply);
        });
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "correct";
        new EchoNode(mode).run();
    }
}
