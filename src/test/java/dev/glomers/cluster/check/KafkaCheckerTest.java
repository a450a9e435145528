package dev.glomers.cluster.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.HistoriesAccess;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.Op;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaCheckerTest {

    /** Builds a history of operations that each complete before the next begins. */
    private static final class Ops {
        private final HistoriesAccess h = new HistoriesAccess();
        private long millis;

        private Ops op(int consumer, String f, String invokeValue, Op.Type type, String completeValue) {
            Op invocation = h.invoke(consumer, f, json(withConsumer(invokeValue, consumer)), millis++);
            if (type == Op.Type.OK) {
                h.ok(invocation, json(withConsumer(completeValue, consumer)), millis++);
            } else {
                h.fail(invocation, millis++);
            }
            return this;
        }

        Ops send(int consumer, String key, int msg, long offset) {
            return op(consumer, "send", "{\"key\":\"" + key + "\",\"msg\":" + msg + "}", Op.Type.OK,
                    "{\"key\":\"" + key + "\",\"msg\":" + msg + ",\"offset\":" + offset + "}");
        }

        Ops failedSend(int consumer, String key, int msg) {
            return op(consumer, "send", "{\"key\":\"" + key + "\",\"msg\":" + msg + "}", Op.Type.FAIL, null);
        }

        /** A poll of one key from {@code from}; {@code pairs} like "[[0,10],[1,11]]". */
        Ops poll(int consumer, String key, long from, String pairs) {
            String offsets = "{\"offsets\":{\"" + key + "\":" + from + "}";
            return op(consumer, "poll", offsets + "}", Op.Type.OK, offsets + ",\"msgs\":{\"" + key + "\":" + pairs + "}}");
        }

        Ops commit(int consumer, String key, long offset) {
            String value = "{\"offsets\":{\"" + key + "\":" + offset + "}}";
            return op(consumer, "commit_offsets", value, Op.Type.OK, value);
        }

        Ops list(int consumer, String key, String offsets) {
            String keys = "{\"keys\":[\"" + key + "\"]";
            return op(consumer, "list_committed_offsets", keys + "}", Op.Type.OK, keys + ",\"offsets\":" + offsets + "}");
        }

        CheckResult check() {
            return new KafkaChecker().check(h.history());
        }
    }

    /** The value as the kafka workload records it: the consumer first. */
    private static String withConsumer(String value, int consumer) {
        return "{\"consumer\":" + consumer + "," + value.substring(1);
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Integer> errors(CheckResult result) {
        return (Map<String, Integer>) result.details().get("error-counts");
    }

    private static Ops threeSends() {
        return new Ops().send(0, "k", 10, 0).send(0, "k", 11, 1).send(1, "k", 12, 2);
    }

    @Test
    void aConsumerReadingEverythingInOrderIsValid() {
        CheckResult result = threeSends()
                .poll(2, "k", 0, "[[0,10],[1,11]]").commit(2, "k", 1).poll(2, "k", 2, "[[2,12]]")
                .list(3, "k", "{\"k\":1}")
                .check();
        assertThat(result.isValid()).as(result.summary()).isTrue();
        assertThat(errors(result)).isEmpty();
        assertThat(result.details().get("workbench-op-count")).as("commits fold into their polls").isEqualTo(6L);
    }

    @Test
    void anAcknowledgedMessageBelowOnePolledIsALostWrite() {
        CheckResult result = threeSends().poll(2, "k", 0, "[[0,10]]").poll(3, "k", 2, "[[2,12]]").check();
        assertThat(result.isValid()).isFalse();
        assertThat(errors(result)).containsEntry("lost-write", 1);
    }

    @Test
    void anAcknowledgedMessageNobodyEverPolledIsUnseen() {
        CheckResult result = threeSends().poll(2, "k", 0, "[[0,10],[1,11]]").check();
        assertThat(errors(result)).containsOnlyKeys("unseen");
    }

    @Test
    void aConsumerJumpingOverAnOffsetSkips() {
        CheckResult result = threeSends().poll(2, "k", 0, "[[0,10]]").poll(2, "k", 1, "[[2,12]]")
                .poll(3, "k", 0, "[[0,10],[1,11],[2,12]]").check();
        assertThat(errors(result)).containsOnlyKeys("poll-skip");
    }

    @Test
    void aPollNotStartingAtTheRequestedOffsetSkips() {
        CheckResult result = threeSends().poll(2, "k", 0, "[[1,11],[2,12]]").poll(3, "k", 0, "[[0,10]]").check();
        assertThat(errors(result)).containsOnlyKeys("poll-skip");
    }

    @Test
    void aConsumerReadingAnOffsetAgainIsNonmonotonic() {
        CheckResult result = threeSends().poll(2, "k", 0, "[[0,10],[1,11]]").poll(2, "k", 1, "[[1,11],[2,12]]").check();
        assertThat(errors(result)).containsOnlyKeys("nonmonotonic-poll");
    }

    @Test
    void anAssignResetsTheConsumersPlace() {
        CheckResult result = threeSends().poll(2, "k", 0, "[[0,10],[1,11]]").list(2, "k2", "{}")
                .list(2, "k", "{}").poll(2, "k", 0, "[[0,10],[1,11],[2,12]]").check();
        assertThat(errors(result)).isEmpty();
    }

    @Test
    void aGapInsideOnePollIsAnInternalSkip() {
        CheckResult result = threeSends().poll(2, "k", 0, "[[0,10],[2,12]]").poll(3, "k", 1, "[[1,11]]").check();
        assertThat(errors(result)).containsOnlyKeys("int-poll-skip");
    }

    @Test
    void twoMessagesAtOneOffsetAreInconsistentAndOneMessageAtTwoOffsetsIsADuplicate() {
        CheckResult clash = new Ops().send(0, "k", 10, 0).send(1, "k", 11, 0).poll(2, "k", 0, "[[0,10]]").check();
        assertThat(errors(clash)).containsKey("inconsistent-offsets");
        CheckResult twice = new Ops().send(0, "k", 10, 0).poll(2, "k", 0, "[[0,10],[1,10]]").check();
        assertThat(errors(twice)).containsKey("duplicate");
    }

    @Test
    void aPolledMessageWhoseSendFailedDefinitelyIsAnAbortedRead() {
        CheckResult result = new Ops().send(0, "k", 10, 0).failedSend(1, "k", 11)
                .poll(2, "k", 0, "[[0,10],[1,11]]").check();
        assertThat(errors(result)).containsOnlyKeys("G1a");
    }

    @Test
    void aConsumersSendsToAKeyMustLandAtRisingOffsets() {
        CheckResult result = new Ops().send(0, "k", 10, 1).send(0, "k", 11, 0).poll(2, "k", 0, "[[0,11],[1,10]]").check();
        assertThat(errors(result)).containsOnlyKeys("nonmonotonic-send");
    }

    @Test
    void committedOffsetsThatGoBackOrThatNobodyCommittedAreWrong() {
        CheckResult back = threeSends().poll(2, "k", 0, "[[0,10],[1,11],[2,12]]").commit(2, "k", 2).commit(2, "k", 1)
                .list(3, "k", "{\"k\":2}").list(4, "k", "{\"k\":1}").check();
        assertThat(errors(back)).containsOnlyKeys("committed-offsets-backwards");
        CheckResult invented = threeSends().poll(2, "k", 0, "[[0,10],[1,11],[2,12]]").commit(2, "k", 1)
                .list(3, "k", "{\"k\":2}").check();
        assertThat(errors(invented)).containsOnlyKeys("committed-offsets-invented");
    }
}
