package dev.glomers.raft;

import dev.glomers.raft.RaftMessages.ReadAnswer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * Reads that do not write (the thesis, section 6.4; etcd's ReadIndex): a read-only operation takes no log
 * entry and no fsync. The leader notes a read index, confirms that it still leads by a majority round, and
 * the read is answered from the state machine once it has applied up to that index.
 * <ul>
 * <li>The read index is the leader's last log index when the read reaches it, not its commit index: with
 * three nodes a follower answers a write as soon as it holds it (the three-node shortcut), before the leader
 * knows it committed; every such write is in the leader's log. Waiting until that index is applied also
 * covers the rule that a leader answers reads only once an entry of its own term is committed.</li>
 * <li>Rounds are numbered per leadership and carried on the appends that go anyway; a follower echoes the
 * highest round it got, in its next update. Reads that reach the leader before a round's first append left
 * share that round. A round is confirmed when a majority (the leader included) echoed it or a later one.</li>
 * <li>A follower's read goes to the leader like a write; the leader answers it with the read index on an
 * append, once confirmed and committed up to it, and the follower answers from its own state machine once
 * applied that far. With three nodes the leader answers at once: the follower that takes that append in
 * the leader's term is the majority's second member, so taking it is the confirmation.</li>
 * </ul>
 * Everything here ends with the leadership, or at the client's deadline: nothing waits forever.
 */
final class ReadIndex {

    /** A read at the leader: whose ({@code origin}), its request id there, its read index, the round that confirms it. */
    record Waiting(String origin, long id, long index, long round, long deadline) {
    }

    private final String self;
    private final int majority;

    // ---- the leader's side
    private long round;
    /** An append carrying {@link #round} left: a read arriving now needs a new round. */
    private boolean roundOut;
    private final Map<String, Long> carried = new HashMap<>();
    private final Map<String, Long> echoed = new HashMap<>();
    private final List<Waiting> unconfirmed = new ArrayList<>();
    private final List<Waiting> confirmed = new ArrayList<>();
    private final Map<String, List<Waiting>> toAnswer = new LinkedHashMap<>();
    /** origin/id of every read held on the leader's side: a read carried twice is taken once. */
    private final Set<String> held = new HashSet<>();

    // ---- the origin's side: own reads the leader answered, by request id, with their read index
    private final Map<Long, Long> answered = new LinkedHashMap<>();

    ReadIndex(String self, int majority) {
        this.self = self;
        this.majority = majority;
    }

    /** A new leadership, or the end of one: the leader's side starts over (rounds are numbered per leadership). */
    void reset() {
        round = 0;
        roundOut = false;
        carried.clear();
        echoed.clear();
        unconfirmed.clear();
        confirmed.clear();
        toAnswer.clear();
        held.clear();
    }

    /**
     * A read reaches the leader; returns true when it waits for a round that has not gone out yet (the
     * replicator sends one). With three nodes a follower's read is answered at once (see the class comment).
     */
    boolean register(String origin, long id, long index, long deadline) {
        if (!held.add(origin + "/" + id)) {
            return false;
        }
        if (majority <= 2 && !origin.equals(self)) {
            toAnswer.computeIfAbsent(origin, o -> new ArrayList<>()).add(new Waiting(origin, id, index, 0, deadline));
            return false;
        }
        if (round == 0 || roundOut) {
            round++;
            roundOut = false;
        }
        unconfirmed.add(new Waiting(origin, id, index, round, deadline));
        confirm();
        return !unconfirmed.isEmpty();
    }

    /**
     * The round an append to {@code follower} carries now (null: none); from here on it is out. Only while reads
     * wait for it: a round already confirmed would only make the follower echo it for nothing.
     */
    Long carry(String follower) {
        if (round == 0 || unconfirmed.isEmpty()) {
            return null;
        }
        roundOut = true;
        carried.put(follower, round);
        return round;
    }

    /** Whether {@code follower} was sent the current round already. */
    boolean carriesCurrentRound(String follower) {
        return carried.getOrDefault(follower, 0L) == round;
    }

    /** A round still needs its majority. */
    boolean roundWanted() {
        return !unconfirmed.isEmpty();
    }

    /** {@code follower} echoed {@code echoedRound} in an update of this term. */
    void echoed(String follower, long echoedRound) {
        if (echoedRound > echoed.getOrDefault(follower, 0L)) {
            echoed.put(follower, echoedRound);
            confirm();
        }
    }

    /** Reads whose round a majority echoed (the leader counts itself, with the newest round) wait only for applying. */
    private void confirm() {
        List<Long> rounds = new ArrayList<>(echoed.values());
        rounds.sort((a, b) -> Long.compare(b, a));
        int others = majority - 1;
        long confirmedRound = others == 0 ? Long.MAX_VALUE : rounds.size() >= others ? rounds.get(others - 1) : 0;
        for (Iterator<Waiting> it = unconfirmed.iterator(); it.hasNext(); ) {
            Waiting read = it.next();
            if (read.round() > confirmedRound) {
                break; // in round order
            }
            it.remove();
            confirmed.add(read);
        }
    }

    /**
     * Confirmed reads the leader has applied far enough for: its own are returned (to be answered from the
     * state machine), a follower's go to that follower with the next append; returns the followers to send to
     * in {@code followersToTell}.
     */
    List<Waiting> ready(long applied, Set<String> followersToTell) {
        List<Waiting> own = new ArrayList<>();
        for (Iterator<Waiting> it = confirmed.iterator(); it.hasNext(); ) {
            Waiting read = it.next();
            if (read.index() > applied) {
                continue;
            }
            it.remove();
            if (read.origin().equals(self)) {
                held.remove(read.origin() + "/" + read.id());
                own.add(read);
            } else {
                toAnswer.computeIfAbsent(read.origin(), o -> new ArrayList<>()).add(read);
                followersToTell.add(read.origin());
            }
        }
        return own;
    }

    /** The answers an append to {@code follower} carries (null when none); they leave with it. */
    List<ReadAnswer> answersFor(String follower) {
        List<Waiting> reads = toAnswer.remove(follower);
        if (reads == null) {
            return null;
        }
        reads.forEach(read -> held.remove(read.origin() + "/" + read.id()));
        return reads.stream().map(read -> new ReadAnswer(read.id(), read.index())).toList();
    }

    boolean hasAnswersFor(String follower) {
        return toAnswer.containsKey(follower);
    }

    /** Reads whose client gave up: forgotten, on both sides (an own read is forgotten once no longer pending). */
    void expire(long now, LongPredicate stillPending) {
        unconfirmed.removeIf(read -> expired(read, now));
        confirmed.removeIf(read -> expired(read, now));
        toAnswer.values().forEach(reads -> reads.removeIf(read -> expired(read, now)));
        toAnswer.values().removeIf(List::isEmpty);
        answered.keySet().removeIf(id -> !stillPending.test(id));
    }

    private boolean expired(Waiting read, long now) {
        if (read.deadline() > now) {
            return false;
        }
        held.remove(read.origin() + "/" + read.id());
        return true;
    }

    long nextDeadline() {
        long next = Long.MAX_VALUE;
        for (Waiting read : unconfirmed) {
            next = Math.min(next, read.deadline());
        }
        for (Waiting read : confirmed) {
            next = Math.min(next, read.deadline());
        }
        for (List<Waiting> reads : toAnswer.values()) {
            for (Waiting read : reads) {
                next = Math.min(next, read.deadline());
            }
        }
        return next;
    }

    // ---- the origin's side

    /** The leader answered our read {@code id}: it may be answered from our state machine once applied up to {@code index}. */
    void answered(long id, long index) {
        answered.merge(id, index, Math::min);
    }

    /** Own reads answerable now, forgotten here. */
    List<Long> answerable(long applied) {
        List<Long> ids = new ArrayList<>();
        for (Iterator<Map.Entry<Long, Long>> it = answered.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Long> read = it.next();
            if (read.getValue() <= applied) {
                ids.add(read.getKey());
                it.remove();
            }
        }
        return ids;
    }

    /** Reads held on either side, for tests (a timed-out read leaves nothing behind). */
    int size() {
        return held.size() + unconfirmed.size() + confirmed.size() + answered.size()
                + toAnswer.values().stream().mapToInt(List::size).sum();
    }
}
