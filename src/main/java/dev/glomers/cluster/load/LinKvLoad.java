package dev.glomers.cluster.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.ClusterOptions;
import dev.glomers.cluster.History;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.check.CasRegisterLinearizability;
import dev.glomers.cluster.check.Replies;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * lin-kv (jepsen-io/maelstrom src/maelstrom/workload/lin_kv.clj over Jepsen's linearizable-register test
 * and independent generator): {@code read {key}}, {@code write {key, value}}, {@code cas {key, from, to}}
 * with values 0-4, checked per key as a compare-and-set register ({@link CasRegisterLinearizability}).
 *
 * <p>The mix is the workbench's, mechanism and all ({@link LinKvGenerator}, which cites the source): groups
 * of 2 x node-count workers, one key per group, a key retired after 20 processes; the generator, not the
 * runner, picks the free worker. Because Jepsen's reserve counts threads from 0 in every group, only
 * threads 0..n-1 read: a quarter of the ops on 3 nodes / 4n, a tenth or more on 5 nodes / 10n, and of the
 * rest one write for every two cas.
 *
 * <p>Errors 1, 10, 11, 20, 21, 22 are definite (failed ops), others and timeouts indeterminate, as in
 * the workbench's client; its client timeout, max(10 x --latency, 1 s), is used too.
 */
public final class LinKvLoad implements ClientLoad {

    private static final Set<Integer> DEFINITE_ERRORS = Set.of(1, 10, 11, 20, 21, 22);

    private LinKvGenerator generator;

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
        generator = new LinKvGenerator(nodeCount, concurrency);
    }

    @Override
    public Invocation nextInvocation(Random random) {
        throw new UnsupportedOperationException("lin-kv picks its worker: dispatch(Random, Workers)");
    }

    @Override
    public Dispatch dispatch(Random random, Workers workers) {
        return generator.next(random, workers);
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
