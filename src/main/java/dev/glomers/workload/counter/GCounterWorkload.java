package dev.glomers.workload.counter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.kv.KeyDoesNotExistException;
import dev.glomers.kv.KvClient;
import dev.glomers.kv.KvClients;
import dev.glomers.node.Body;
import dev.glomers.node.Message;
import dev.glomers.node.Node;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.retry.Retries;
import dev.glomers.workload.counter.CounterMessages.Add;
import dev.glomers.workload.counter.CounterMessages.Read;
import dev.glomers.workload.counter.CounterMessages.ReadOk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Profile;

/**
 * Part 4: a grow-only counter whose count lives in {@code seq-kv}, exact on every node once the
 * network is quiet, whatever partitions happened before.
 *
 * <p><b>Layout.</b> Every node owns one key, {@code g-counter/<node>}, holding its running total
 * stamped with a batch number ({@link Slot}). Only the owner writes it, so writers never contend
 * and a compare-and-set fails only when our own earlier write landed without us hearing of it.
 * The counter's value is the sum over all nodes' keys.
 *
 * <p><b>Adds.</b> Each round writes our key once: the adds that arrived since the last round go out
 * together in one compare-and-set from the value we know to that value plus their sum, stamped
 * with a batch number never used before. They are acknowledged only once that write is known to be
 * in the store: its {@code cas_ok}, or, when the reply was lost or the compare-and-set failed, a
 * fresh read of our key that carries the batch's stamp. Since stamps are unique and the
 * compare-and-set names the exact old value, a batch can land at most once: a late duplicate finds
 * a different value and fails. Retries (the {@code counter-flush} policy in application.yml)
 * re-read the key and write on what they read, so an earlier batch whose reply was lost but which
 * landed later is kept, never overwritten, and a batch that landed unseen is never written twice.
 * When the policy gives up, the batch's adds get error 0 (indefinite: they may still land) and the
 * next write starts by reading the key.
 *
 * <p><b>Reads and freshness.</b> {@code seq-kv} may answer a read from any state that is not older
 * than the newest one this client already saw, so a plain read of another node's key can lag
 * behind adds already acknowledged; in a quiet cluster it could lag forever, and a final read
 * would be wrong. But an operation that changes a value runs on the newest state and moves this
 * client there. So a read first writes our own key (a compare-and-set to a new batch stamp,
 * carrying any pending adds: the new stamp always changes the value) and only then reads the other
 * nodes' keys: they are read at states no older than that write, so they include every add
 * acknowledged anywhere before the write was sent. The read returns our own exact total plus theirs.
 * Reads that arrive while a round runs wait for the next one and share it.
 *
 * <p>{@code glomers.counter.read-staleness} trades freshness for messages: a read may be answered
 * from the last such view of the other nodes (plus our own exact total) if that view's write was
 * sent no longer than the bound before the read arrived, and a round may reuse a recent write of
 * ours instead of writing again. With 0 (strict) every read reflects every add acknowledged before
 * it arrived; with a bound B, every add acknowledged B before it. Either way a read lies between
 * the true total when the view's write was sent and the true total now (every part only grows),
 * never a guess, and final reads (10 s after the last add) are exact for any B well below that. Nothing blocks the event loop; a read that gets no answer within
 * {@code glomers.counter.read-deadline} (under the client's 5 s) answers error 0.
 */
@Profile("g-counter")
public class GCounterWorkload {

    private static final Logger log = LoggerFactory.getLogger(GCounterWorkload.class);
    static final String KEY_PREFIX = "g-counter/";

    private record PendingAdd(Message request, long delta) {
    }

    /** The other nodes' total as read after a write of ours that started at {@code syncedAt} (System.nanoTime). */
    private record View(long others, long syncedAt) {
    }

    /** A read waiting for a round; answered once, by the round or by its deadline. */
    private final class PendingRead {
        final Message request;
        final long arrivedAt;
        boolean answered;

        PendingRead(Message request, long arrivedAt) {
            this.request = request;
            this.arrivedAt = arrivedAt;
        }

        void answer(long value) {
            if (!answered) {
                answered = true;
                node.reply(request, new ReadOk(value));
            }
        }

        void fail(Throwable failure) {
            if (!answered) {
                answered = true;
                node.replyError(request, failure);
            }
        }
    }

    private final Node node;
    private final KvClient seq;
    private final Retries retries;
    private final Duration readDeadline;
    private final long stalenessNanos;
    private final OwnSlot own = new OwnSlot();

    // Event-loop state: touched only by handlers, timers and KV completions.
    private List<PendingAdd> pendingAdds = new ArrayList<>();
    private List<PendingRead> pendingReads = new ArrayList<>();
    private boolean roundRunning;
    /** Our own total as last confirmed in the store (it only grows). */
    private long ownCount;
    /** When the newest write of ours that is known to have landed was sent (its first attempt). */
    private long lastSyncAt;
    private boolean synced;
    private View view;

    public GCounterWorkload(Node node, KvClients kv, Retries retries,
            @Value("${glomers.counter.read-deadline:4s}") Duration readDeadline,
            @Value("${glomers.counter.read-staleness:0ms}") Duration readStaleness) {
        this.node = node;
        this.seq = kv.seq();
        this.retries = retries;
        this.readDeadline = readDeadline;
        this.stalenessNanos = readStaleness.toNanos();
        retries.policy("counter-flush");
        retries.policy("counter-read");
        node.handle("add", Add.class, this::add);
        node.handle("read", Read.class, this::read);
    }

    private void add(Message request, Add add) {
        if (add.delta() < 0) {
            throw RpcError.malformed("a grow-only counter takes no negative delta: " + add.delta());
        }
        long total = pendingAdds.stream().mapToLong(PendingAdd::delta).sum() + ownCount;
        if (total + add.delta() < total) {
            throw RpcError.malformed("adding " + add.delta() + " would overflow the counter");
        }
        pendingAdds.add(new PendingAdd(request, add.delta()));
        startRound();
    }

    private void read(Message request, Read read) {
        long now = System.nanoTime();
        if (view != null && now - view.syncedAt() <= stalenessNanos) {
            node.reply(request, new ReadOk(Math.addExact(ownCount, view.others())));
            return;
        }
        PendingRead pending = new PendingRead(request, now);
        pendingReads.add(pending);
        node.after(readDeadline, () -> pending.fail(RpcError.timeout("seq-kv did not answer in " + readDeadline.toMillis() + " ms")));
        startRound();
    }

    /**
     * One round: write our key (pending adds under a fresh stamp) unless only reads wait and a write
     * of ours started recently enough for them, then, if reads wait, read the others' keys.
     */
    private void startRound() {
        if (view != null) {
            // Reads that came in while the last round ran may be satisfied by the view it left.
            pendingReads.removeIf(read -> {
                if (read.arrivedAt - view.syncedAt() <= stalenessNanos) {
                    read.answer(Math.addExact(ownCount, view.others()));
                    return true;
                }
                return read.answered;
            });
        }
        if (roundRunning || (pendingAdds.isEmpty() && pendingReads.isEmpty())) {
            return;
        }
        roundRunning = true;
        long now = System.nanoTime();
        List<PendingAdd> adds = pendingAdds;
        List<PendingRead> reads = pendingReads;
        pendingAdds = new ArrayList<>();
        pendingReads = new ArrayList<>();

        long oldestRead = reads.stream().mapToLong(read -> read.arrivedAt).min().orElse(now);
        boolean recentSync = synced && own.isKnown() && oldestRead - lastSyncAt <= stalenessNanos;
        boolean write = !adds.isEmpty() || !recentSync;
        long syncAt = write ? now : lastSyncAt;
        long delta = adds.stream().mapToLong(PendingAdd::delta).reduce(0, Math::addExact);
        CompletableFuture<Slot> written = write ? flush(delta, now) : CompletableFuture.completedFuture(own.known());
        written.whenComplete((slot, failure) -> adds.forEach(add -> {
            if (failure == null) {
                node.reply(add.request(), Body.of("add_ok"));
            } else {
                node.replyError(add.request(), indefinite(failure));
            }
        }));
        CompletableFuture<?> done = reads.isEmpty() ? written : written.thenCompose(slot -> sumOfOthers()).whenComplete((others, failure) -> {
            if (failure == null && (view == null || syncAt - view.syncedAt() >= 0)) {
                view = new View(others, syncAt);
            }
            reads.forEach(read -> {
                if (failure == null) {
                    read.answer(Math.addExact(ownCount, others));
                } else {
                    read.fail(indefinite(failure));
                }
            });
        });
        done.whenComplete((ignored, failure) -> {
            roundRunning = false;
            startRound();
        });
    }

    /** Puts {@code delta} into our key under a new stamp; completes with the value now in the store. */
    private CompletableFuture<Slot> flush(long delta, long startedAt) {
        long batch = own.nextBatch();
        return retries.<Slot>run("counter-flush", () -> writeAttempt(delta, batch)).whenComplete((slot, failure) -> {
            if (failure == null) {
                own.written(slot);
                ownCount = Math.max(ownCount, slot.count());
                lastSyncAt = startedAt;
                synced = true;
            } else {
                log.warn("batch {} (+{}) is in doubt: {}", batch, delta, RpcError.unwrap(failure).getMessage());
                own.forget();
            }
        });
    }

    private CompletableFuture<Slot> writeAttempt(long delta, long batch) {
        if (!own.isKnown()) {
            // The last attempt's outcome is open: read the key first. It may show this very batch
            // landed (its reply and the read back were lost); writing it again would count it twice.
            return readSlot(node.id()).thenCompose(seen -> own.resolve(seen, batch) == OwnSlot.Outcome.LANDED
                    ? CompletableFuture.completedFuture(seen)
                    : compareAndSet(delta, batch));
        }
        return compareAndSet(delta, batch);
    }

    private CompletableFuture<Slot> compareAndSet(long delta, long batch) {
        Slot from = own.known();
        Slot to = own.target(delta, batch);
        return seq.compareAndSet(key(node.id()), from, to, from.absent())
                .thenApply(ok -> to)
                .exceptionallyCompose(failure -> confirm(batch, failure));
    }

    /** After a failed or unanswered compare-and-set: read our key back to learn whether the batch landed. */
    private CompletableFuture<Slot> confirm(long batch, Throwable casFailure) {
        return readSlot(node.id()).handle((seen, readFailure) -> {
            if (readFailure != null) {
                own.forget();
                return CompletableFuture.<Slot>failedFuture(RpcError.unwrap(readFailure));
            }
            if (own.resolve(seen, batch) == OwnSlot.Outcome.LANDED) {
                return CompletableFuture.completedFuture(seen);
            }
            return CompletableFuture.<Slot>failedFuture(RpcError.unwrap(casFailure));
        }).thenCompose(outcome -> outcome);
    }

    /** The other nodes' totals, each read after our own write (so at a state no older than it). */
    private CompletableFuture<Long> sumOfOthers() {
        CompletableFuture<Long> sum = CompletableFuture.completedFuture(0L);
        for (String peer : node.peers()) {
            CompletableFuture<Long> count = retries.<Slot>run("counter-read", () -> readSlot(peer)).thenApply(Slot::count);
            sum = sum.thenCombine(count, Math::addExact);
        }
        return sum;
    }

    private CompletableFuture<Slot> readSlot(String owner) {
        return seq.read(key(owner)).thenApply(GCounterWorkload::slot).exceptionallyCompose(failure ->
                RpcError.unwrap(failure) instanceof KeyDoesNotExistException
                        ? CompletableFuture.completedFuture(Slot.ABSENT)
                        : CompletableFuture.failedFuture(RpcError.unwrap(failure)));
    }

    private static Slot slot(JsonNode value) {
        return Wire.JSON.convertValue(value, Slot.class);
    }

    static String key(String owner) {
        return KEY_PREFIX + owner;
    }

    /** Whatever went wrong, a counter operation we gave up on may still have happened: never a definite code. */
    private static RpcError indefinite(Throwable failure) {
        Throwable cause = RpcError.unwrap(failure);
        if (cause instanceof RpcError error && !error.errorCode().definite()) {
            return error;
        }
        return RpcError.timeout("seq-kv: " + cause.getMessage());
    }
}
