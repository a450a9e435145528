package dev.glomers.workload.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.kv.KvWire;
import dev.glomers.node.Body;
import dev.glomers.node.Effects;
import dev.glomers.node.ErrorCode;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.retry.Backoff;
import io.github.resilience4j.retry.Retry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Committed offsets, written behind to one {@code lin-kv} document: the protocol around
 * {@link CommittedOffsets}, pure (the kafka core gives it the time and its lin-kv replies).
 *
 * <p>Rules, as functions of {@code now}:
 * <ul>
 * <li><b>Write-behind.</b> A commit is acknowledged at once; the first one not yet written opens a flush
 *     {@code flushDelay} later, which writes every commit acknowledged by then in one round.</li>
 * <li><b>A round</b> reads the document if its value is unknown, then compare-and-sets it from that
 *     value to the merge (by maximum) with this node's commits ({@code create_if_not_exists} while it
 *     does not exist). A request not answered within {@code requestTimeout} fails as error 0. Failures
 *     the {@code kafka-commit} policy retries (22: another writer came first; 20; 0) forget the value,
 *     wait what the policy says ({@link Backoff}) and try again; any other failure ends the round.</li>
 * <li><b>Lists.</b> {@code list_committed_offsets} waits for a round that starts after it arrived (one
 *     at once when none runs, else the next, right after the running one) and is answered with the
 *     document as that round left it in lin-kv: a write of this node's commits when it has any, else a read.
 *     So no list returns less than a list answered before it, on any node.</li>
 * </ul>
 */
final class CommitWriter {

    /** The lin-kv key of the committed-offsets document. */
    static final String KEY = "kafka-committed-offsets";
    private static final long NEVER = Long.MAX_VALUE;

    record ListCommittedOffsetsOk(Map<String, Long> offsets) implements Body {
        @Override
        public String type() {
            return "list_committed_offsets_ok";
        }
    }

    private record WaitingList(Message request, List<String> keys) {
    }

    private final CommittedOffsets offsets = new CommittedOffsets();
    private final Backoff backoff;
    private final long flushDelay;
    private final long requestTimeout;

    private long flushAt = NEVER;
    private boolean running;
    private List<WaitingList> waiting = new ArrayList<>();
    private List<WaitingList> covered = new ArrayList<>();
    /** The lin-kv request the running round waits for: its msg_id, the value a cas writes (null for a read), its deadline. */
    private long requestId;
    private Map<String, Long> writing;
    private long answerDueAt = NEVER;
    private long retryAt = NEVER;

    CommitWriter(Retry policy, long flushDelayMillis, long requestTimeoutMillis) {
        this.backoff = new Backoff(policy);
        this.flushDelay = flushDelayMillis;
        this.requestTimeout = requestTimeoutMillis;
    }

    /** A client's commit, acknowledged by the caller: written behind. */
    void commit(Map<String, Long> committed, long now) {
        offsets.commit(committed);
        scheduleFlush(now);
    }

    /** Every commit this node acknowledged (what a durable node keeps). */
    Map<String, Long> acknowledged() {
        return offsets.acknowledged();
    }

    void list(Message request, List<String> keys, long now, Effects out) {
        waiting.add(new WaitingList(request, keys == null ? List.of() : keys));
        if (!running) {
            startRound(now, out);
        }
    }

    /** Whether {@code reply} answers the lin-kv request the running round waits for. */
    boolean awaits(Message reply) {
        return answerDueAt != NEVER && reply.inReplyTo() == requestId;
    }

    void receive(Message reply, long now, Effects out) {
        answerDueAt = NEVER;
        if ("error".equals(reply.type())) {
            RpcError error = new RpcError(reply.body().path("code").asInt(), reply.body().path("text").asText());
            if (writing == null && error.is(ErrorCode.KEY_DOES_NOT_EXIST)) {
                offsets.learned(null); // nobody wrote it yet: the compare-and-set creates it
                afterRead(now, out);
            } else {
                failed(error, now, out);
            }
            return;
        }
        offsets.learned(writing != null ? writing : offsetsOf(reply.body().get("value")));
        if (writing != null) {
            finish(now, out);
        } else {
            afterRead(now, out);
        }
    }

    void tick(long now, Effects out) {
        if (now >= answerDueAt) {
            answerDueAt = NEVER;
            failed(RpcError.timeout("no answer from " + KvWire.LIN_KV + " within " + requestTimeout + " ms"), now, out);
        }
        if (now >= retryAt) {
            retryAt = NEVER;
            attempt(now, out);
        }
        if (now >= flushAt && !running) {
            startRound(now, out);
        }
    }

    long wakeAt() {
        return Math.min(answerDueAt, Math.min(retryAt, running ? NEVER : flushAt));
    }

    private void scheduleFlush(long now) {
        if (flushAt == NEVER && offsets.needsFlush()) {
            flushAt = now + flushDelay;
        }
    }

    private void startRound(long now, Effects out) {
        running = true;
        flushAt = NEVER;
        covered = waiting;
        waiting = new ArrayList<>();
        attempt(now, out);
    }

    /** Compare-and-sets the document when its value is known and this node has something to write, else reads it. */
    private void attempt(long now, Effects out) {
        if (offsets.knowsStored() && offsets.needsFlush()) {
            writing = offsets.merged();
            boolean create = !offsets.storedExists();
            // create_if_not_exists: the first writer creates it; if another node created it meanwhile, the
            // empty "from" fails with 22 and the next attempt reads and merges.
            requestId = out.request(KvWire.LIN_KV, new KvWire.Cas(KEY, offsets.stored(), writing, create));
        } else {
            writing = null;
            requestId = out.request(KvWire.LIN_KV, new KvWire.Read(KEY));
        }
        answerDueAt = now + requestTimeout;
    }

    private void afterRead(long now, Effects out) {
        if (offsets.needsFlush()) {
            attempt(now, out);
        } else {
            finish(now, out);
        }
    }

    private void failed(RpcError error, long now, Effects out) {
        offsets.forget(); // a failed or unanswered cas may or may not have landed: read again
        long wait = backoff.afterFailure(error);
        if (wait != Backoff.GIVE_UP) {
            retryAt = now + wait;
            return;
        }
        covered.forEach(list -> out.fail(list.request(), error));
        endRound(now, out);
    }

    private void finish(long now, Effects out) {
        backoff.succeeded();
        Map<String, Long> document = offsets.stored();
        for (WaitingList list : covered) {
            Map<String, Long> answer = new LinkedHashMap<>();
            list.keys().stream().filter(key -> key != null && document.containsKey(key)).forEach(key -> answer.put(key, document.get(key)));
            out.reply(list.request(), new ListCommittedOffsetsOk(answer));
        }
        endRound(now, out);
    }

    private void endRound(long now, Effects out) {
        running = false;
        covered = new ArrayList<>();
        if (!waiting.isEmpty()) {
            startRound(now, out);
        } else {
            scheduleFlush(now);
        }
    }

    private static Map<String, Long> offsetsOf(JsonNode document) {
        Map<String, Long> read = new HashMap<>();
        if (document instanceof ObjectNode object) {
            object.fields().forEachRemaining(field -> {
                if (field.getValue().canConvertToLong()) {
                    read.put(field.getKey(), field.getValue().asLong());
                }
            });
        }
        return read;
    }
}
