package dev.glomers.cluster.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.ClusterOptions;
import dev.glomers.cluster.load.ClientLoad;
import dev.glomers.cluster.History;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.check.CasRegisterLinearizability;
import dev.glomers.cluster.check.Replies;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * lin-kv (jepsen-io/maelstrom src/maelstrom/workload/lin_kv.clj over Jepsen's linearizable-register test
 * and independent generator): {@code read {key}}, {@code write {key, value}}, {@code cas {key, from, to}}
 * with values 0-4, checked per key as a compare-and-set register ({@link CasRegisterLinearizability}).
 *
 * <p>The generator, as the workbench's: the workers are split into contiguous groups of 2 x node-count
 * (Jepsen's concurrent-generator with n = 2 x node count); each group works on one key at a time, keys
 * 0, 1, 2, ... handed out in order. In a group the first half only read, the others write once for every
 * two cas. A key is retired once more than 20 distinct processes would have touched it (Jepsen's
 * process-limit): a worker gets a new process after every indeterminate op, so a key lasts until its
 * group has had about 21 - 2n of those; the group then takes the next key. The workbench refuses a
 * concurrency that is not a multiple of 2n; here the last group is simply smaller (all workers form one
 * group when there are fewer than 2n), still half readers.
 *
 * <p>Errors 1, 10, 11, 20, 21, 22 are definite (failed ops), others and timeouts indeterminate, as in
 * the workbench's client; its client timeout, max(10 x --latency, 1 s), is used too.
 */
public final class LinKvLoad implements ClientLoad {

    /** Jepsen's linearizable-register default process-limit. */
    static final int PROCESS_LIMIT = 20;
    private static final Set<Integer> DEFINITE_ERRORS = Set.of(1, 10, 11, 20, 21, 22);

    /** One group of workers and the key it tests. */
    private static final class Group {
        final int firstThread;
        final int size;
        final int[] currentProcess;
        final Set<Integer> processes = new HashSet<>();
        long key;

        Group(int firstThread, int size, long key) {
            this.firstThread = firstThread;
            this.size = size;
            this.currentProcess = new int[size];
            for (int i = 0; i < size; i++) {
                currentProcess[i] = firstThread + i;
            }
            startKey(key);
        }

        /** A new key has touched only the group's current processes. */
        void startKey(long next) {
            key = next;
            processes.clear();
            for (int p : currentProcess) {
                processes.add(p);
            }
        }

        int readers() {
            return size / 2;
        }
    }

    private Group[] groups;
    private int groupSize;
    private long nextKey;

    @Override
    public String name() {
        return "lin-kv";
    }

    @Override
    public void setUp(SetupContext setup) {
        configure(setup.options().nodeCount(), setup.options().concurrency());
    }

    /** Lays out the worker groups; called by set-up, before any operation. */
    void configure(int nodeCount, int concurrency) {
        groupSize = Math.min(2 * nodeCount, concurrency);
        int count = (concurrency + groupSize - 1) / groupSize;
        groups = new Group[count];
        for (int g = 0; g < count; g++) {
            int first = g * groupSize;
            groups[g] = new Group(first, Math.min(groupSize, concurrency - first), g);
        }
        nextKey = count;
    }

    @Override
    public Invocation nextInvocation(Random random) {
        throw new UnsupportedOperationException("lin-kv draws per worker: nextInvocation(Random, ClientProcess)");
    }

    @Override
    public Invocation nextInvocation(Random random, ClientProcess worker) {
        Group group = groups[worker.thread() / groupSize];
        int slot = worker.thread() - group.firstThread;
        group.currentProcess[slot] = worker.process();
        group.processes.add(worker.process());
        if (group.processes.size() > PROCESS_LIMIT) {
            group.startKey(nextKey++);
        }
        ObjectNode value = Json.object();
        value.put("key", group.key);
        if (slot < group.readers()) {
            return Invocation.of("read", value);
        }
        if (random.nextInt(3) == 0) {
            value.put("value", random.nextInt(5));
            return Invocation.of("write", value);
        }
        value.put("from", random.nextInt(5));
        value.put("to", random.nextInt(5));
        return Invocation.of("cas", value);
    }

    @Override
    public ObjectNode request(Invocation invocation) {
        ObjectNode body = Json.object();
        body.put("type", invocation.f());
        invocation.value().fields().forEachRemaining(e -> body.set(e.getKey(), e.getValue()));
        return body;
    }

    @Override
    public JsonNode readReply(Invocation invocation, ObjectNode reply) throws MalformedReplyException {
        if (invocation.f().equals("read")) {
            Replies.expect(reply, "read_ok", "value");
            ObjectNode value = Json.object();
            value.set("key", invocation.value().get("key"));
            value.set("value", reply.get("value"));
            return value;
        }
        Replies.expect(reply, invocation.f() + "_ok");
        return invocation.value();
    }

    @Override
    public Set<Integer> definiteErrorCodes() {
        return DEFINITE_ERRORS;
    }

    @Override
    public Duration clientTimeout(ClusterOptions options) {
        return Duration.ofMillis(Math.max(10 * options.latencyMillis(), 1000));
    }

    @Override
    public List<CheckResult> check(History history, CheckContext context) {
        return List.of(new CasRegisterLinearizability().check(history));
    }
}
