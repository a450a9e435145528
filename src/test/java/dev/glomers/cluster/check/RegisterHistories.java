package dev.glomers.cluster.check;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.History;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * lin-kv histories for checker tests: hand-made ones step by step (the order of calls is the real-time
 * order), and random ones from a simulated correct register.
 */
final class RegisterHistories {

    final History history = new History();
    private long clock;

    Op read(int process, int key) {
        return invoke(process, "read", value(key));
    }

    Op write(int process, int key, int v) {
        ObjectNode value = value(key);
        value.put("value", v);
        return invoke(process, "write", value);
    }

    Op cas(int process, int key, int from, int to) {
        ObjectNode value = value(key);
        value.put("from", from);
        value.put("to", to);
        return invoke(process, "cas", value);
    }

    /** Completes a write or cas as ok. */
    Op ok(Op invocation) {
        return history.complete(invocation, Op.Type.OK, invocation.value(), ++clock, null);
    }

    /** Completes a read as ok with the value read. */
    Op ok(Op read, int valueRead) {
        ObjectNode value = value(read.value().get("key").asInt());
        value.put("value", valueRead);
        return history.complete(read, Op.Type.OK, value, ++clock, null);
    }

    Op info(Op invocation) {
        return history.complete(invocation, Op.Type.INFO, invocation.value(), ++clock, "timeout");
    }

    Op fail(Op invocation, int code) {
        return history.complete(invocation, Op.Type.FAIL, invocation.value(), ++clock, "error " + code);
    }

    private Op invoke(int process, String f, ObjectNode value) {
        return history.invoke(process, f, value, ++clock, "n" + process, false);
    }

    private static ObjectNode value(int key) {
        ObjectNode value = Json.object();
        value.put("key", key);
        return value;
    }

    /**
     * A history of a correct (linearizable) register under {@code processes} concurrent clients: each op
     * takes effect at a random instant between its invocation and its completion. With probability
     * {@code infoChance} an op's reply is lost (info) whether or not it took effect. Reads of a missing key
     * and cas on a different value fail, as lin-kv's do.
     */
    static RegisterHistories simulated(long seed, int keys, int processes, int opsPerKey, double infoChance) {
        record Event(long time, int kind, int process, int key) { // kind: 0 invoke, 1 take effect, 2 complete
        }
        Random random = new Random(seed);
        RegisterHistories h = new RegisterHistories();
        for (int key = 0; key < keys; key++) {
            PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> Long.compare(a.time, b.time));
            Op[] pending = new Op[processes];
            Integer[] result = new Integer[processes];
            boolean[] failed = new boolean[processes];
            Integer register = null;
            int invoked = 0;
            for (int p = 0; p < processes; p++) {
                events.add(new Event(random.nextInt(10) + 1, 0, p, key));
            }
            while (!events.isEmpty()) {
                Event e = events.poll();
                int p = e.process;
                switch (e.kind) {
                    case 0 -> {
                        if (invoked++ >= opsPerKey) {
                            continue;
                        }
                        int choice = random.nextInt(3);
                        pending[p] = choice == 0 ? h.read(p, key)
                                : choice == 1 ? h.write(p, key, random.nextInt(5))
                                : h.cas(p, key, random.nextInt(5), random.nextInt(5));
                        events.add(new Event(e.time + random.nextInt(20) + 1, 1, p, key));
                    }
                    case 1 -> {
                        Op op = pending[p];
                        failed[p] = false;
                        switch (op.f()) {
                            case "read" -> {
                                result[p] = register;
                                failed[p] = register == null;
                            }
                            case "write" -> register = op.value().get("value").asInt();
                            default -> {
                                if (register != null && register == op.value().get("from").asInt()) {
                                    register = op.value().get("to").asInt();
                                } else {
                                    failed[p] = true;
                                }
                            }
                        }
                        events.add(new Event(e.time + random.nextInt(20) + 1, 2, p, key));
                    }
                    default -> {
                        Op op = pending[p];
                        if (random.nextDouble() < infoChance) {
                            h.info(op);
                        } else if (failed[p]) {
                            h.fail(op, op.f().equals("cas") && register != null ? 22 : 20);
                        } else if (op.f().equals("read")) {
                            h.ok(op, result[p]);
                        } else {
                            h.ok(op);
                        }
                        events.add(new Event(e.time + random.nextInt(10) + 1, 0, p, key));
                    }
                }
            }
        }
        return h;
    }

    /** Every op of the history, in order (for assertions). */
    List<Op> ops() {
        return new ArrayList<>(history.ops());
    }
}
