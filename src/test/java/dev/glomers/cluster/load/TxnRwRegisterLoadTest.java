package dev.glomers.cluster.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.ClusterOptions;
import dev.glomers.cluster.History;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.Op;
import dev.glomers.cluster.load.ClientLoad.CheckContext;
import dev.glomers.cluster.load.ClientLoad.Invocation;
import dev.glomers.cluster.load.ClientLoad.MalformedReplyException;
import dev.glomers.cluster.load.ClientLoad.SetupContext;
import dev.glomers.node.Wire;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The runner's txn-rw-register plug-in: reply shapes, and hand-made runner histories through its check. */
class TxnRwRegisterLoadTest {

    private final TxnRwRegisterLoad workload = new TxnRwRegisterLoad();
    private final History history = new History();

    private static JsonNode json(String text) {
        try {
            return Wire.JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static ObjectNode reply(String txn) {
        return (ObjectNode) json("{\"type\":\"txn_ok\",\"in_reply_to\":3,\"txn\":" + txn + "}");
    }

    private Op invoke(int process, String txn) {
        return history.invoke(process, "txn", json(txn), 0, "n" + process % 2, false);
    }

    private void ok(Op invocation, String txn) {
        history.complete(invocation, Op.Type.OK, json(txn), 1, null);
    }

    private List<CheckResult> check(String... models) {
        ClusterOptions options = ClusterOptions.builder("txn-rw-register").consistencyModels(List.of(models)).build();
        return workload.check(history, new CheckContext(options, List.of("n0", "n1")));
    }

    @Test
    void requestsAreTxnMessagesAndGeneratedWritesAreUniquePerKey() {
        Invocation invocation = workload.nextInvocation(new Random(1));
        assertThat(invocation.f()).isEqualTo("txn");
        assertThat(workload.request(invocation).get("type").asText()).isEqualTo("txn");
        assertThat(workload.request(invocation).get("txn")).isEqualTo(invocation.value());
    }

    @Test
    void keyCountTxnLengthAndWritesPerKeyComeFromTheOptions() {
        ClusterOptions options = ClusterOptions.builder("txn-rw-register").keyCount(1).maxTxnLength(1).maxWritesPerKey(2).build();
        workload.setUp(new SetupContext() {
            @Override
            public List<String> nodeIds() {
                return List.of("n0");
            }

            @Override
            public ClusterOptions options() {
                return options;
            }

            @Override
            public ObjectNode rpc(String node, ObjectNode body) {
                throw new UnsupportedOperationException();
            }
        });
        Random random = new Random(3);
        Set<Long> keys = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            JsonNode txn = workload.nextInvocation(random).value();
            assertThat(txn).hasSize(1);
            keys.add(txn.get(0).get(1).asLong());
        }
        assertThat(keys).as("one active key at a time, retired after two writes").hasSizeGreaterThan(5);
    }

    @Test
    void aReplyMustBeTheInvokedTransactionWithReadsFilledIn() throws Exception {
        Invocation invocation = Invocation.of("txn", json("[[\"r\",1,null],[\"w\",1,5]]"));
        assertThat(workload.readReply(invocation, reply("[[\"r\",1,null],[\"w\",1,5]]"))).hasSize(2);
        assertThat(workload.readReply(invocation, reply("[[\"r\",1,4],[\"w\",1,5]]")).get(0).get(2).asInt()).isEqualTo(4);

        assertThatThrownBy(() -> workload.readReply(invocation, reply("[[\"r\",1,4],[\"w\",1,6]]")))
                .as("a write value changed").isInstanceOf(MalformedReplyException.class);
        assertThatThrownBy(() -> workload.readReply(invocation, reply("[[\"r\",1,4]]")))
                .as("a micro-op missing").isInstanceOf(MalformedReplyException.class);
        assertThatThrownBy(() -> workload.readReply(invocation, reply("[[\"r\",2,4],[\"w\",1,5]]")))
                .as("another key").isInstanceOf(MalformedReplyException.class);
        ObjectNode extra = reply("[[\"r\",1,4],[\"w\",1,5]]");
        extra.put("node", "n0");
        assertThatThrownBy(() -> workload.readReply(invocation, extra)).isInstanceOf(MalformedReplyException.class);
    }

    @Test
    void aHistoryWithoutAnomaliesIsValid() {
        ok(invoke(0, "[[\"w\",1,1]]"), "[[\"w\",1,1]]");
        ok(invoke(1, "[[\"r\",1,null],[\"w\",1,2]]"), "[[\"r\",1,1],[\"w\",1,2]]");
        CheckResult result = check("read-committed").get(0);
        assertThat(result.verdict()).isEqualTo(Verdict.VALID);
        assertThat(result.summary()).contains("2 ok");
    }

    @Test
    void readingAFailedTransactionsWriteIsInvalidUnderReadCommitted() {
        Op write = invoke(0, "[[\"w\",1,1]]");
        Op read = invoke(1, "[[\"r\",1,null]]");
        history.complete(write, Op.Type.FAIL, write.value(), 1, "error 14");
        ok(read, "[[\"r\",1,1]]");
        assertThat(check("read-committed").get(0).verdict()).isEqualTo(Verdict.INVALID);
        assertThat(check("read-uncommitted").get(0).verdict()).isEqualTo(Verdict.VALID);
    }

    @Test
    void readingATimedOutTransactionsWriteIsFine() {
        Op write = invoke(0, "[[\"w\",1,1]]");
        history.complete(write, Op.Type.INFO, write.value(), 1, "timeout");
        ok(invoke(1, "[[\"r\",1,null]]"), "[[\"r\",1,1]]");
        assertThat(check("read-committed").get(0).verdict()).isEqualTo(Verdict.VALID);
    }

    @Test
    void circularInformationFlowBetweenConcurrentTransactionsIsInvalid() {
        Op a = invoke(0, "[[\"w\",1,1],[\"r\",2,null]]");
        Op b = invoke(1, "[[\"w\",2,1],[\"r\",1,null]]");
        ok(b, "[[\"w\",2,1],[\"r\",1,1]]");
        ok(a, "[[\"w\",1,1],[\"r\",2,1]]");
        CheckResult result = check("read-committed").get(0);
        assertThat(result.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(result.summary()).contains("G1c");
    }

    @Test
    void withoutModelsTheWorkbenchDefaultIsOnlyRuledOutNeverConfirmed() {
        ok(invoke(0, "[[\"w\",1,1]]"), "[[\"w\",1,1]]");
        assertThat(check().get(0).verdict()).isEqualTo(Verdict.UNKNOWN);
    }

    @Test
    void canonicalValuesFromTheHistoryAreAccepted() {
        ok(invoke(0, "[[\"w\",1,1]]"), "[[\"w\",1,1]]");
        assertThat(Json.canonical(history.ops().get(0).value()).get(0).get(1).isLong()).isTrue();
        assertThat(check("read-committed").get(0).verdict()).isEqualTo(Verdict.VALID);
    }
}
