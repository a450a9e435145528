package dev.glomers.cluster.fakes;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * g-counter on seq-kv: one key, compare-and-set loop for adds. Modes: {@code fresh} first writes a
 * node-private key (a change, so seq-kv moves this node to its newest state) and then reads; {@code
 * stale} trusts a plain seq-kv read, which seq-kv may serve from an older state.
 */
public final class CounterNode extends FakeNode {

    private static final String KEY = "counter";
    private long syncs = 0;

    CounterNode(boolean fresh) {
        on("add", m -> {
            long delta = m.path("body").path("delta").asLong();
            if (delta == 0) {
                reply(m, body("add_ok"));
            } else {
                add(m, delta);
            }
        });
        on("read", m -> {
            if (fresh) {
                var write = body("write");
                write.put("key", "sync-" + nodeId);
                write.put("value", ++syncs);
                rpc("seq-kv", write, ignored -> readCounter(m));
            } else {
                readCounter(m);
            }
        });
    }

    private void readCounter(ObjectNode request) {
        var read = body("read");
        read.put("key", KEY);
        rpc("seq-kv", read, reply -> {
            var ok = body("read_ok");
            ok.put("value", reply.path("type").asText().equals("read_ok") ? reply.path("value").asLong() : 0);
            reply(request, ok);
        });
    }

    private void add(ObjectNode request, long delta) {
        var read = body("read");
        read.put("key", KEY);
        rpc("seq-kv", read, current -> {
            long from = current.path("type").asText().equals("read_ok") ? current.path("value").asLong() : 0;
            var cas = body("cas");
            cas.put("key", KEY);
            cas.put("from", from);
            cas.put("to", from + delta);
            cas.put("create_if_not_exists", true);
            rpc("seq-kv", cas, result -> {
                if (result.path("type").asText().equals("cas_ok")) {
                    reply(request, body("add_ok"));
                } else {
                    add(request, delta);
                }
            });
        });
    }

    public static void main(String[] args) throws Exception {
        new CounterNode(args.length == 0 || args[0].equals("fresh")).run();
    }
}
