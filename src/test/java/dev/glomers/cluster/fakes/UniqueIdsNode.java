package dev.glomers.cluster.fakes;

/**
 * unique-ids. Modes: {@code correct} (node id + counter); {@code counter} (a bare counter: duplicates
 * across nodes). The counter lives in memory only, so a node that is killed and restarted counts from 0
 * again and hands out its old ids a second time: {@code correct} is unique only while no node dies.
 */
public final class UniqueIdsNode extends FakeNode {

    private long next = 0;

    UniqueIdsNode(boolean correct) {
        on("generate", m -> {
            var reply = body("generate_ok");
            long n = next++;
            if (correct) {
                reply.put("id", nodeId + "-" + n);
            } else {
                reply.put("id", n);
            }
            reply(m, reply);
        });
    }

    public static void main(String[] args) throws Exception {
        new UniqueIdsNode(args.length == 0 || args[0].equals("correct")).run();
    }
}
