package dev.glomers.workload.counter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.kv.KvWire;
import dev.glomers.node.Body;
import dev.glomers.node.Core;
import dev.glomers.node.Effects;
import dev.glomers.node.ErrorCode;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.retry.Backoff;
import dev.glomers.storage.Stored;
import dev.glomers.workload.counter.CounterMessages.Add;
import dev.glomers.workload.counter.CounterMessages.ReadOk;
import io.github.resilience4j.retry.Retry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Part 4 as a pure core: a grow-only counter whose count lives in {@code seq-kv}, exact on every node
 * once the network is quiet, whatever partitions happened before. Every rule below, timing included,
 * is a function of the messages and the {@code now} it is given (docs/counters.md).
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
 * a different value and fails. Failed attempts wait as the {@code counter-flush} policy says, then
 * write on what the last read of the key showed, so an earlier batch whose reply was lost but which
 * landed later is kept, never overwritten, and a batch that landed unseen is never written twice.
 * When the policy gives up, the batch's adds get error 0 (indefinite: they may still land) and the
 * next write starts by reading the key.
 *
 * <p><b>Reads and freshness.</b> {@code seq-kv} may answer a read from any state that is not older
 * than the newest one this client already saw, so a plain read of another node's key can lag behind
 * adds already acknowledged, in a quiet cluster forever. But an operation that changes a value runs
 * on the newest state and moves this client there. So a read first writes our own key (a
 * compare-and-set to a new batch stamp, carrying any pending adds: the new stamp always changes the
 * value) and only then reads the other nodes' keys (each under the {@code counter-read} policy): they
 * are read at states no older than that write, so they include every add acknowledged anywhere
 * before the write was sent. Reads that arrive while a round runs wait for the next one and share it.
 *
 * <p><b>Staleness.</b> With a bound B above 0, a read may be answered from the last view of the other
 * nodes (plus our own exact total) if that view's write was sent less than B before the read arrived,
 * and a round may reuse a recent write of ours instead of writing again. A read then reflects every
 * add acknowledged B before it arrived; it lies between the true total when the view's write was sent
 * and the true total now, never a guess. A read with no answer within the read deadline answers error 0.
 *
 * <p>Every request to seq-kv has its own deadline (the KV timeout): the workbench never reports a lost
 * message, so a reply that has not come by then counts as error 0, and a reply after it is ignored.
 */
final class GCounterCore implements Core {

    private static final Logger log = LoggerFactory.getLogger(GCounterCore.class);

    static final String KEY_PREFIX = "g-counter/";

    /** The timing rules, in milliseconds. */
    record Timing(long kvTimeout, long readDeadline, long readStaleness) {
    }

    private record PendingAdd(Message request, long delta) {
    }

    /** The other nodes' total as read after a write of ours that was sent at {@code syncedAt}. */
    private record View(long others, long syncedAt) {
    }

    /** A client's read, answered once: by a round, from the view, or by its deadline. */
    private static final class PendingRead {
        final Message request;
        final long arrivedAt;
        boolean answered;

        PendingRead(Message request, long arrivedAt) {
            this.request = request;
            this.arrivedAt = arrivedAt;
        }

        void answer(long value, Effects out) {
            if (!answered) {
                answered = true;
                out.reply(request, new ReadOk(value));
            }
        }

        void fail(RpcError error, Effects out) {
            if (!answered) {
                answered = true;
                out.fail(request, error);
            }
        }
    }

    private final String self;
    private final List<String> peers;
    private final Timing timing;
    private final Retry flushPolicy;
    private final Retry readPolicy;
    private final OwnSlot own = new OwnSlot();

    private List<PendingAdd> pendingAdds = new ArrayList<>();
    private List<PendingRead> pendingReads = new ArrayList<>();
    private Round round;
    /** Our own total as last confirmed in the store (it only grows). */
    private long ownCount;
    /** When the newest write of ours that is known to have landed was sent (its first attempt). */
    private long lastSyncAt;
    private boolean synced;
    private View view;

    /**
     * @param flushPolicy paces the attempts to put one batch into our key ({@code counter-flush})
     * @param readPolicy  paces the attempts to read one other node's key ({@code counter-read})
     */
    GCounterCore(String self, List<String> nodeIds, Timing timing, Retry flushPolicy, Retry readPolicy) {
        this.self = self;
        this.peers = nodeIds.stream().filter(id -> !id.equals(self)).toList();
        this.timing = timing;
        this.flushPolicy = flushPolicy;
        this.readPolicy = readPolicy;
    }

    /**
     * Durable nodes only: the last reservation of batch stamps an earlier run persisted. Nothing else is
     * stored: the count lives in seq-kv, an add is acknowledged only once it landed there, and the views
     * of the other keys are rebuilt by the first read (so a restart's first reads are strict ones).
     */
    @Override
    public void recover(Stored stored) {
        own.recover(stored);
    }

    static String key(String owner) {
        return KEY_PREFIX + owner;
    }

    // ---- inputs ---------------------------------------------------------------------------

    @Override
    public void receive(Message message, long now, Effects out) {
        if (message.isReply()) {
            if (round != null) {
                round.onReply(message, now, out);
            } // else a reply that came after its deadline: already counted as lost
            return;
        }
        switch (message.type()) {
            case "add" -> add(message, Wire.read(message.body(), Add.class), now, out);
            case "read" -> read(message, now, out);
            default -> throw RpcError.notSupported("g-counter does not take " + message.type());
        }
    }

    @Override
    public void tick(long now, Effects out) {
        RpcError late = RpcError.timeout("seq-kv did not answer in " + timing.readDeadline() + " ms");
        for (PendingRead read : waitingReads()) {
            if (now >= read.arrivedAt + timing.readDeadline()) {
                read.fail(late, out);
            }
        }
        pendingReads.removeIf(read -> read.answered);
        if (round != null) {
            round.tick(now, out);
        }
    }

    @Override
    public long wakeAt() {
        long wake = round == null ? Long.MAX_VALUE : round.wakeAt();
        for (PendingRead read : waitingReads()) {
            if (!read.answered) {
                wake = Math.min(wake, read.arrivedAt + timing.readDeadline());
            }
        }
        return wake;
    }

    private List<PendingRead> waitingReads() {
        if (round == null || round.reads.isEmpty()) {
            return pendingReads;
        }
        List<PendingRead> all = new ArrayList<>(pendingReads);
        all.addAll(round.reads);
        return all;
    }

    private void add(Message request, Add add, long now, Effects out) {
        if (add.delta() < 0) {
            throw RpcError.malformed("a grow-only counter takes no negative delta: " + add.delta());
        }
        long total = ownCount;
        for (PendingAdd pending : pendingAdds) {
            total += pending.delta();
        }
        if (total + add.delta() < total) {
            throw RpcError.malformed("adding " + add.delta() + " would overflow the counter");
        }
        pendingAdds.add(new PendingAdd(request, add.delta()));
        startRound(now, out);
    }

    private void read(Message request, long now, Effects out) {
        if (fresh(view, now)) {
            out.reply(request, new ReadOk(Math.addExact(ownCount, view.others())));
            return;
        }
        pendingReads.add(new PendingRead(request, now));
        startRound(now, out);
    }

    /** Whether a view may answer a read that arrived at {@code arrivedAt}: its write was sent less than the bound before. */
    private boolean fresh(View candidate, long arrivedAt) {
        return candidate != null && arrivedAt - candidate.syncedAt() < timing.readStaleness();
    }

    // ---- rounds ---------------------------------------------------------------------------

    /**
     * Starts a round unless one runs or nothing waits: write our key (pending adds under a fresh stamp)
     * unless only reads wait and a write of ours was sent recently enough for them, then, if reads
     * wait, read the others' keys.
     */
    private void startRound(long now, Effects out) {
        // Reads that came in while the last round ran may be satisfied by the view it left.
        pendingReads.removeIf(read -> {
            if (!read.answered && fresh(view, read.arrivedAt)) {
                read.answer(Math.addExact(ownCount, view.others()), out);
            }
            return read.answered;
        });
        if (round != null || (pendingAdds.isEmpty() && pendingReads.isEmpty())) {
            return;
        }
        List<PendingAdd> adds = pendingAdds;
        List<PendingRead> reads = pendingReads;
        pendingAdds = new ArrayList<>();
        pendingReads = new ArrayList<>();

        long oldestRead = reads.stream().mapToLong(read -> read.arrivedAt).min().orElse(now);
        boolean recentSync = synced && own.isKnown() && oldestRead - lastSyncAt < timing.readStaleness();
        boolean write = !adds.isEmpty() || !recentSync;
        round = new Round(adds, reads, write ? now : lastSyncAt);
        if (write) {
            long delta = adds.stream().mapToLong(PendingAdd::delta).reduce(0, Math::addExact);
            if (out.durable() && own.needsReservation()) {
                out.snapshot(own.reserve()); // the compare-and-set below waits for its sync
            }
            round.write = new OwnWrite(own.nextBatch(), delta);
            round.write.attempt(now, out);
        } else {
            round.readOthers(now, out);
        }
    }

    /** One round: at most one write of our key, then, if reads wait, one read of each other node's key. */
    private final class Round {
        final List<PendingAdd> adds;
        final List<PendingRead> reads;
        /** When the write this round's view rests on was sent. */
        final long syncAt;
        OwnWrite write;
        final Map<String, PeerRead> peerReads = new HashMap<>();
        long others;

        Round(List<PendingAdd> adds, List<PendingRead> reads, long syncAt) {
            this.adds = adds;
            this.reads = reads;
            this.syncAt = syncAt;
        }

        void onReply(Message reply, long now, Effects out) {
            if (write != null && write.awaits(reply.inReplyTo())) {
                write.onReply(reply, now, out);
                return;
            }
            for (PeerRead read : peerReads.values()) {
                if (read.awaits(reply.inReplyTo())) {
                    read.onReply(reply, now, out);
                    return;
                }
            }
        }

        void tick(long now, Effects out) {
            if (write != null) {
                write.tick(now, out);
                return;
            }
            for (PeerRead read : List.copyOf(peerReads.values())) {
                if (round != this) {
                    return; // an earlier peer read ended the round
                }
                read.tick(now, out);
            }
        }

        long wakeAt() {
            if (write != null) {
                return write.due;
            }
            long wake = Long.MAX_VALUE;
            for (PeerRead read : peerReads.values()) {
                if (!read.done) {
                    wake = Math.min(wake, read.due);
                }
            }
            return wake;
        }

        void written(Slot slot, long now, Effects out) {
            write = null;
            ownCount = Math.max(ownCount, slot.count());
            lastSyncAt = syncAt;
            synced = true;
            adds.forEach(add -> out.reply(add.request(), Body.of("add_ok")));
            readOthers(now, out);
        }

        void writeFailed(RpcError error, long now, Effects out) {
            write = null;
            RpcError indefinite = indefinite(error);
            adds.forEach(add -> out.fail(add.request(), indefinite));
            reads.forEach(read -> read.fail(indefinite, out));
            end(now, out);
        }

        void readOthers(long now, Effects out) {
            if (reads.isEmpty()) {
                end(now, out);
                return;
            }
            for (String peer : peers) {
                peerReads.put(peer, new PeerRead(peer));
            }
            if (peers.isEmpty()) {
                othersRead(now, out);
                return;
            }
            peerReads.values().forEach(read -> read.attempt(now, out));
        }

        void peerRead(long count, long now, Effects out) {
            others = Math.addExact(others, count);
            if (peerReads.values().stream().allMatch(read -> read.done)) {
                othersRead(now, out);
            }
        }

        void othersRead(long now, Effects out) {
            if (view == null || syncAt >= view.syncedAt()) {
                view = new View(others, syncAt);
            }
            reads.forEach(read -> read.answer(Math.addExact(ownCount, others), out));
            end(now, out);
        }

        void peerReadFailed(RpcError error, long now, Effects out) {
            RpcError indefinite = indefinite(error);
            reads.forEach(read -> read.fail(indefinite, out));
            end(now, out);
        }

        private void end(long now, Effects out) {
            round = null;
            startRound(now, out);
        }
    }

    /** Puts one batch into our key: a compare-and-set, read back when its outcome is unclear, retried as the policy paces. */
    private final class OwnWrite {
        private enum Step { READ_BEFORE_WRITE, CAS, CONFIRM, WAIT }

        final long batch;
        final long delta;
        final Backoff backoff = new Backoff(flushPolicy);
        Step step;
        long msgId;
        /** The reply's deadline, or in {@link Step#WAIT} when to try again. */
        long due;
        Slot target;
        RpcError casFailure;

        OwnWrite(long batch, long delta) {
            this.batch = batch;
            this.delta = delta;
        }

        void attempt(long now, Effects out) {
            if (own.isKnown()) {
                compareAndSet(now, out);
            } else {
                // The last attempt's outcome is open: read the key first. It may show this very batch
                // landed (its reply and the read back were lost); writing it again would count it twice.
                readOwnKey(Step.READ_BEFORE_WRITE, now, out);
            }
        }

        boolean awaits(long inReplyTo) {
            return step != Step.WAIT && inReplyTo == msgId;
        }

        private void compareAndSet(long now, Effects out) {
            Slot from = own.known();
            target = own.target(delta, batch);
            step = Step.CAS;
            msgId = out.request(KvWire.SEQ_KV, new KvWire.Cas(key(self), from, target, from.absent()));
            due = now + timing.kvTimeout();
        }

        private void readOwnKey(Step next, long now, Effects out) {
            step = next;
            msgId = out.request(KvWire.SEQ_KV, new KvWire.Read(key(self)));
            due = now + timing.kvTimeout();
        }

        void onReply(Message reply, long now, Effects out) {
            switch (step) {
                case READ_BEFORE_WRITE -> {
                    RpcError failure = readFailure(reply);
                    if (failure != null) {
                        failed(failure, now, out);
                    } else if (own.resolve(slotOf(reply), batch) == OwnSlot.Outcome.LANDED) {
                        landed(own.known(), now, out);
                    } else {
                        compareAndSet(now, out);
                    }
                }
                case CAS -> {
                    if ("cas_ok".equals(reply.type())) {
                        own.written(target);
                        landed(target, now, out);
                    } else {
                        casFailed(errorOf(reply), now, out);
                    }
                }
                case CONFIRM -> confirmed(reply, now, out);
                case WAIT -> {
                }
            }
        }

        void tick(long now, Effects out) {
            if (now < due) {
                return;
            }
            RpcError lost = RpcError.timeout("seq-kv did not answer in " + timing.kvTimeout() + " ms");
            switch (step) {
                case WAIT -> attempt(now, out);
                case READ_BEFORE_WRITE -> failed(lost, now, out);
                case CAS -> casFailed(lost, now, out);
                case CONFIRM -> {
                    own.forget();
                    failed(lost, now, out);
                }
            }
        }

        /** After a failed or unanswered compare-and-set: read our key back to learn whether the batch landed. */
        private void casFailed(RpcError failure, long now, Effects out) {
            casFailure = failure;
            readOwnKey(Step.CONFIRM, now, out);
        }

        private void confirmed(Message reply, long now, Effects out) {
            RpcError failure = readFailure(reply);
            if (failure != null) {
                own.forget();
                failed(failure, now, out);
            } else if (own.resolve(slotOf(reply), batch) == OwnSlot.Outcome.LANDED) {
                landed(own.known(), now, out);
            } else {
                failed(casFailure, now, out);
            }
        }

        private void landed(Slot slot, long now, Effects out) {
            backoff.succeeded();
            round.written(slot, now, out);
        }

        private void failed(RpcError failure, long now, Effects out) {
            long wait = backoff.afterFailure(failure);
            if (wait == Backoff.GIVE_UP) {
                log.warn("batch {} (+{}) is in doubt: {}", batch, delta, failure.getMessage());
                own.forget();
                round.writeFailed(failure, now, out);
                return;
            }
            step = Step.WAIT;
            due = now + wait;
        }
    }

    /** Reads one other node's key, retried as the policy paces. */
    private final class PeerRead {
        final String peer;
        final Backoff backoff = new Backoff(readPolicy);
        long msgId;
        boolean waiting;
        boolean done;
        long due;

        PeerRead(String peer) {
            this.peer = peer;
        }

        void attempt(long now, Effects out) {
            waiting = false;
            msgId = out.request(KvWire.SEQ_KV, new KvWire.Read(key(peer)));
            due = now + timing.kvTimeout();
        }

        boolean awaits(long inReplyTo) {
            return !done && !waiting && inReplyTo == msgId;
        }

        void onReply(Message reply, long now, Effects out) {
            RpcError failure = readFailure(reply);
            if (failure != null) {
                failed(failure, now, out);
                return;
            }
            done = true;
            round.peerRead(slotOf(reply).count(), now, out);
        }

        void tick(long now, Effects out) {
            if (done || now < due) {
                return;
            }
            if (waiting) {
                attempt(now, out);
            } else {
                failed(RpcError.timeout("seq-kv did not answer a read of " + key(peer) + " in " + timing.kvTimeout() + " ms"), now, out);
            }
        }

        private void failed(RpcError failure, long now, Effects out) {
            long wait = backoff.afterFailure(failure);
            if (wait == Backoff.GIVE_UP) {
                done = true;
                round.peerReadFailed(failure, now, out);
                return;
            }
            waiting = true;
            due = now + wait;
        }
    }

    // ---- seq-kv replies ---------------------------------------------------------------------

    /** The failure a read's reply carries; a key never written is no failure (its slot is {@link Slot#ABSENT}). */
    private static RpcError readFailure(Message reply) {
        if (!"error".equals(reply.type())) {
            return null;
        }
        RpcError error = errorOf(reply);
        return error.is(ErrorCode.KEY_DOES_NOT_EXIST) ? null : error;
    }

    private static Slot slotOf(Message reply) {
        JsonNode value = reply.body().get("value");
        return value == null ? Slot.ABSENT : Wire.JSON.convertValue(value, Slot.class);
    }

    private static RpcError errorOf(Message reply) {
        if (!"error".equals(reply.type())) {
            return RpcError.crash("seq-kv answered " + reply.type());
        }
        return new RpcError(reply.body().path("code").asInt(ErrorCode.CRASH.code()), reply.body().path("text").asText(""));
    }

    /** Whatever went wrong, a counter operation we gave up on may still have happened: never a definite code. */
    private static RpcError indefinite(RpcError error) {
        if (!error.errorCode().definite()) {
            return error;
        }
        return RpcError.timeout("seq-kv: " + error.getMessage());
    }
}
