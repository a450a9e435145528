package dev.glomers.cluster.fakes;

/**
 * Echo. Modes: {@code correct}; {@code wrong} answers with a different payload; {@code noisy} prints a
 * banner on stdout after init, as a careless logger would; {@code extra} adds a field to echo_ok.
 */
public final class EchoNode extends FakeNode {

    EchoNode(String mode) {
        on("echo", m -> {
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
        EchoNode node = new EchoNode(mode);
        if (mode.equals("noisy")) {
            System.out.println("Started EchoNode in 0.1 seconds");
        }
        node.run();
    }
}
