package dev.glomers.cluster.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.HistoriesAccess;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.load.ClientLoad.Invocation;
import dev.glomers.cluster.load.ClientLoad.MalformedReplyException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LoadChecksTest {

    private final HistoriesAccess h = new HistoriesAccess();

    @Test
    void echoMustReturnExactlyWhatWasSent() {
        h.okOp(0, "echo", "Please echo 3", "Please echo 3", 0);
        assertThat(new EchoLoad().check(h.history(), null).get(0).verdict()).isEqualTo(Verdict.VALID);

        h.okOp(0, "echo", "Please echo 4", "Please echo 5", 10);
        assertThat(new EchoLoad().check(h.history(), null).get(0).verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void anEchoThatTimedOutIsAnError() {
        h.info(h.invoke(0, "echo", "Please echo 3", 0), 5000);
        assertThat(new EchoLoad().check(h.history(), null).get(0).verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void uniqueIdsMustBeDistinctAcrossNodesAndTypes() {
        h.okOp(0, "generate", null, "n0-1", 0);
        h.okOp(1, "generate", null, 1, 1);
        h.okOp(1, "generate", null, 1.0, 2); // 1.0 is not 1, as in the workbench
        assertThat(new UniqueIdsLoad().check(h.history(), null).get(0).verdict()).isEqualTo(Verdict.VALID);

        h.okOp(2, "generate", null, 1, 3);
        var result = new UniqueIdsLoad().check(h.history(), null).get(0);
        assertThat(result.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(result.details()).containsEntry("duplicated-count", 1L);
    }

    @Test
    void repliesWithFieldsBeyondTheSchemaAreMalformed() throws Exception {
        EchoLoad echo = new EchoLoad();
        Invocation inv = echo.nextInvocation(new Random(1));
        ObjectNode good = (ObjectNode) Json.MAPPER.readTree(
                "{\"type\":\"echo_ok\",\"in_reply_to\":1,\"msg_id\":4,\"echo\":" + inv.value() + "}");
        assertThat(echo.readReply(inv, good)).isEqualTo(inv.value());

        ObjectNode extra = good.deepCopy().put("node", "n0");
        assertThatThrownBy(() -> echo.readReply(inv, extra)).isInstanceOf(MalformedReplyException.class);
        ObjectNode nullField = good.deepCopy();
        nullField.putNull("echo");
        assertThatThrownBy(() -> echo.readReply(inv, nullField)).isInstanceOf(MalformedReplyException.class);
    }

    @Test
    void gCounterNeverAddsNegativeDeltasAndPnCounterDoes() {
        Random random = new Random(42);
        var g = CounterLoad.growOnly();
        var pn = CounterLoad.positiveNegative();
        long gNegative = 0;
        long pnNegative = 0;
        for (int i = 0; i < 1000; i++) {
            Invocation a = g.nextInvocation(random);
            Invocation b = pn.nextInvocation(random);
            gNegative += a.f().equals("add") && a.value().asLong() < 0 ? 1 : 0;
            pnNegative += b.f().equals("add") && b.value().asLong() < 0 ? 1 : 0;
        }
        assertThat(gNegative).isZero();
        assertThat(pnNegative).isPositive();
    }
}
