package dev.glomers.raft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Body;
import dev.glomers.node.Core;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.raft.RaftMessages.AppendEntries;
import dev.glomers.raft.RaftMessages.AppendResult;
import dev.glomers.raft.RaftMessages.Bundle;
import dev.glomers.raft.RaftMessages.FollowerUpdate;
import dev.glomers.raft.RaftMessages.ForwardedOp;
import dev.glomers.raft.RaftMessages.RequestVote;
import dev.glomers.raft.RaftMessages.Vote;
import dev.glomers.raft.RaftMessages.WireEntry;
import dev.glomers.retry.Backoff;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Raft (the extended paper by Ongaro and Ousterhout) as a pure {@link Core}, replicating any
 * {@link StateMachine}. Every client operation, reads included, goes through the log, so every answer
 * is linearizable: a node answers its own clients when it applies their entries, and no node answers
 * from state it has not applied in log order.
 *
 * <p>Beyond the paper, for message economy (see docs/lin-kv.md):
 * <ul>
 * <li>Followers carry their clients' operations to the leader ({@code follower_update}), together with
 *     their append results; entries carry origin node and request id, so the origin answers its client,
 *     and applying skips an (origin, id) already applied, so an operation carried twice (a duplicate
 *     message, a re-forward to a new leader) takes effect once.</li>
 * <li>A leader sends new entries only to the followers that must have them now: the origins of
 *     forwarded operations, plus as many of the best caught-up followers as a majority needs; the others
 *     get them with their next heartbeat. Heartbeats go only to followers that heard nothing for a
 *     heartbeat interval, and a follower answers an empty append only when it must (a failed check).</li>
 * <li>In a cluster of at most three, a follower that holds an entry of the current term which it got
 *     from that term's leader knows it is committed (the leader and itself are a majority), so it applies
 *     and answers at once, and may hold the acknowledgement back ({@code ack-delay}) to piggyback it.</li>
 * <li>Around one-way links (the workbench's majorities ring) messages take a detour through a third node
 *     ({@code relay}); everything a step sends to one peer goes as one message ({@code bundle}), and the
 *     detours are timed to share messages with the direct traffic, so a ring costs about what the
 *     direct ways would.</li>
 * </ul>
 * The log lives in memory: the workbench never crashes or restarts a node.
 */
public final class RaftCore<C, R> implements Core {

    enum Role { FOLLOWER, CANDIDATE, LEADER }

    /** A log entry; {@code command} null is the no-op a new leader appends to commit its term. */
    record Entry<C>(long term, String origin, long id, C command) {
    }

    /** A client's operation at its origin node, waiting to be applied. */
    private record Pending<C>(Message request, C command, long deadline) {
    }

    /** What a leader knows of one follower. */
    private static final class Follower {
        final String id;
        long next;
        long match;
        /** It must hear from us at {@link #urgentAt}: its own clients' entries, a repair, a new term, a commit it waits for. */
        boolean urgent;
        long urgentAt = Long.MAX_VALUE;
        long lastSentAt;
        long lastHeardAt;
        /** When a message of it last reached us directly, not passed on by a peer. */
        long lastHeardDirectlyAt;
        /** When we last tried the direct way to it while it said that way was broken, and how long until the next try. */
        long lastProbedAt;
        long probeWait;
        /** It says our appends do not reach it directly: they go through the other followers too. */
        boolean unheard;

        Follower(String id) {
            this.id = id;
        }
    }

    /** The longest wait between tries of a broken direct way, in heartbeat intervals. */
    private static final int PROBE_WAIT_LIMIT = 4;

    private final String self;
    private final List<String> peers;
    private final int majority;
    private final StateMachine<C, R> machine;
    private final RaftProperties settings;
    private final Random random;
    private final Backoff reforward;

    // ---- Raft's state (the paper's "persistent" part lives in memory: nodes never restart) ----
    private long term;
    private String votedFor;
    /** Index i of the paper is {@code log.get(i - 1)}; index 0 is the empty prefix of term 0. */
    private final List<Entry<C>> log = new ArrayList<>();
    private long commitIndex;
    private long lastApplied;
    private Role role = Role.FOLLOWER;
    /** The leader of {@link #term} as far as this node knows; null when it knows none. */
    private String leader;
    private long electionDeadline;
    /**
     * Elections in a row that no peer answered at all: each doubles the next timeout (up to 8 times), so a
     * node cut off from everyone campaigns ever less often. Any answer, or a leader, starts over.
     */
    private int unansweredElections;
    private boolean electionAnswered = true;
    private Set<String> votes = Set.of();
    private Map<String, Follower> followers = Map.of();
    /** When the leader's own new entries must be on their way to enough followers for a commit. */
    private long replicateAt = Long.MAX_VALUE;

    // ---- a follower's outgoing update ----
    private AppendResult resultToSend;
    private long updateAt = Long.MAX_VALUE;
    private long lastUpdateSentAt;
    /** The leader does not hear us directly: updates go around it, and the direct way is tried now and then. */
    private boolean relayUpdates;
    private long lastProbedLeaderAt;
    private long probeLeaderWait;
    /** Peers' updates we pass on to the leader, held to travel with our own at the end of our window. */
    private final List<RaftMessages.Relay> heldRelays = new ArrayList<>();
    private long heldRelaysUntil = Long.MAX_VALUE;
    /** When an append last reached us directly, not passed on by a peer. */
    private long lastDirectAppendAt;
    /** Set while a relayed message is being taken. */
    private boolean takingRelayed;
    /** Own operations to carry to the leader with the next update. */
    private final Set<Long> toForward = new LinkedHashSet<>();
    /** Own operations carried to the leader and not yet seen back in this node's log. */
    private final Set<Long> awaitingLog = new LinkedHashSet<>();
    private long reforwardAt = Long.MAX_VALUE;

    // ---- clients and application ----
    private long nextRequestId;
    /** By request id, in arrival order, which is deadline order. */
    private final Map<Long, Pending<C>> pending = new LinkedHashMap<>();
    private final Map<String, Set<Long>> appliedIds = new HashMap<>();
    /** Own operations that never left this node (no leader was known): at their deadline they get a definite 11. */
    private final Set<Long> neverSent = new HashSet<>();

    /**
     * @param reforward paces carrying operations to the leader again when they did not come back in an append
     *                  (a lost message); its first check is one heartbeat interval after the first send
     */
    public RaftCore(String self, List<String> nodeIds, StateMachine<C, R> machine, RaftProperties settings,
                    Random random, Backoff reforward) {
        this.self = self;
        this.peers = nodeIds.stream().filter(id -> !id.equals(self)).toList();
        this.majority = nodeIds.size() / 2 + 1;
        this.machine = machine;
        this.settings = settings;
        this.random = random;
        this.reforward = reforward;
    }

    // ---- the Core contract ------------------------------------------------------------------

    @Override
    public void start(long now, Effects out) {
        probeLeaderWait = settings.heartbeatInterval().toMillis();
        // Nobody leads yet and there is nobody to disrupt: the first election comes sooner.
        resetElectionDeadline(now);
        electionDeadline = now + (electionDeadline - now) / 3;
    }

    @Override
    public void receive(Message message, long now, Effects out) {
        Outbox outbox = new Outbox(out);
        try {
            take(message, now, outbox);
        } finally {
            outbox.flush();
        }
    }

    private void take(Message message, long now, Effects out) {
        if (!peers.contains(message.src())) {
            // Only members speak Raft: anyone else claiming a Raft type (a term, a vote, a leader) is a client
            // asking for something the state machine does not take, never a voice in the protocol.
            onClientRequest(message, now, out);
            return;
        }
        switch (message.type()) {
            case RaftMessages.APPEND -> onAppend(message.src(), AppendEntries.read(message.body()), now, out);
            case RaftMessages.UPDATE -> onUpdate(message.src(), FollowerUpdate.read(message.body()), now, out);
            case RaftMessages.REQUEST_VOTE -> onRequestVote(message.src(), RequestVote.read(message.body()), now, out);
            case RaftMessages.VOTE -> onVote(message.src(), Vote.read(message.body()), now, out);
            case RaftMessages.RELAY -> onRelay(message, now, out);
            case RaftMessages.BUNDLE -> onBundle(message, now, out);
            default -> onClientRequest(message, now, out);
        }
    }

    @Override
    public void tick(long now, Effects out) {
        Outbox outbox = new Outbox(out);
        try {
            onTick(now, outbox);
        } finally {
            outbox.flush();
        }
    }

    private void onTick(long now, Effects out) {
        expireClients(now, out);
        if (heldRelaysUntil <= now) {
            passHeldRelays(now, out);
        }
        if (role != Role.LEADER && now >= electionDeadline) {
            startElection(now, out);
        }
        if (role == Role.LEADER) {
            leaderTick(now, out);
        } else if (leader != null) {
            if (now >= reforwardAt) {
                reforwardUnseen(now);
            }
            if (updateAt <= now) {
                sendUpdate(now, out);
            }
        }
    }

    @Override
    public long wakeAt() {
        long wake = pending.isEmpty() ? Long.MAX_VALUE : pending.values().iterator().next().deadline();
        if (role == Role.LEADER) {
            wake = Math.min(wake, replicateAt);
            for (Follower f : followers.values()) {
                wake = Math.min(wake, f.urgent ? f.urgentAt : f.lastSentAt + heartbeatPeriod(f));
            }
            return wake;
        }
        wake = Math.min(wake, Math.min(electionDeadline, heldRelaysUntil));
        if (leader != null) {
            wake = Math.min(wake, Math.min(updateAt, reforwardAt));
        }
        return wake;
    }

    // ---- relaying around one-way links --------------------------------------------------------

    private void onRelay(Message message, long now, Effects out) {
        String to = message.body().path("to").asText();
        JsonNode inner = message.body().get("msg");
        if (inner == null || !inner.isObject() || RaftMessages.RELAY.equals(inner.path("type").asText())) {
            return;
        }
        if (!peers.contains(message.body().path("from").asText())) {
            return; // relayed on behalf of a non-member
        }
        if (to.equals(self)) {
            takingRelayed = true;
            try {
                take(new Message(message.body().path("from").asText(), self, (ObjectNode) inner), now, out);
            } finally {
                takingRelayed = false;
            }
        } else if (peers.contains(to)) {
            RaftMessages.Relay passed = new RaftMessages.Relay(to, message.body().path("from").asText(), (ObjectNode) inner);
            long window = settings.forwardWindow().toMillis();
            if (RaftMessages.UPDATE.equals(inner.path("type").asText()) && role == Role.FOLLOWER && to.equals(leader)
                    && !relayUpdates && window > 0) {
                // A peer's update for our leader: it waits for ours, due at the end of our window, and both go in
                // one message (a peer whose updates go around times them for this, see forwardAt).
                heldRelays.add(passed);
                heldRelaysUntil = Math.min(heldRelaysUntil, windowEnd(now + 1, window)); // ours just went if a window ends now
            } else {
                out.send(to, passed);
                if (role == Role.FOLLOWER && relayUpdates && peers.size() == 2 && leader != null && !to.equals(leader)
                        && (resultToSend != null || !toForward.isEmpty())) {
                    // Three nodes, and our updates go through the peer we pass this to: ours rides along.
                    sendUpdate(now, out);
                }
            }
        }
    }

    /** The held peers' updates go to the leader, with our own update if we have anything to say. */
    private void passHeldRelays(long now, Effects out) {
        if (role == Role.FOLLOWER && leader != null && !relayUpdates && (resultToSend != null || !toForward.isEmpty())) {
            sendUpdate(now, out); // it passes the held ones on too
            return;
        }
        flushHeldRelays(out);
    }

    private void flushHeldRelays(Effects out) {
        for (RaftMessages.Relay relay : heldRelays) {
            out.send(relay.to(), relay);
        }
        heldRelays.clear();
        heldRelaysUntil = Long.MAX_VALUE;
    }

    /** The parts of a bundle, in order, each as if it had come by itself from the sender. */
    private void onBundle(Message message, long now, Effects out) {
        for (JsonNode part : message.body().path("msgs")) {
            if (part.isObject() && !RaftMessages.BUNDLE.equals(part.path("type").asText())) {
                take(new Message(message.src(), self, (ObjectNode) part), now, out);
            }
        }
    }

    /** Sends {@code body} to {@code dest} directly and through every other peer. */
    private void sendAllWays(String dest, Body body, Effects out) {
        out.send(dest, body);
        sendAround(dest, body, out);
    }

    /** Sends {@code body} to {@code dest} through every other peer only. */
    private void sendAround(String dest, Body body, Effects out) {
        ObjectNode tree = Wire.tree(body);
        for (String peer : peers) {
            if (!peer.equals(dest)) {
                out.send(peer, new RaftMessages.Relay(dest, self, tree));
            }
        }
    }

    // ---- clients ------------------------------------------------------------------------------

    private void onClientRequest(Message request, long now, Effects out) {
        if (!request.fromClient()) {
            return; // an unknown message from a node: nothing to answer
        }
        C command = machine.command(request);
        long id = ++nextRequestId;
        pending.put(id, new Pending<>(request, command, now + settings.clientTimeout().toMillis()));
        if (role == Role.LEADER) {
            append(new Entry<>(term, self, id, command), now, out);
        } else if (leader == null) {
            // Held until a leader is known (an election may be under way), or answered 11 at its deadline.
            neverSent.add(id);
            toForward.add(id);
        } else {
            toForward.add(id);
            updateAt = Math.min(updateAt, forwardAt(now));
        }
    }

    /**
     * When operations that arrive now go to the leader: at the end of the forward window. A follower whose
     * updates go around the leader sends them so that the peer passing them on has them before its own
     * window ends, and sends both in one message: with three nodes they ride along with the leader's appends
     * to the other follower, which pass through us just after each window ends (see {@link #onRelay}), and
     * this is only the latest time; with more, they go half a window early.
     */
    private long forwardAt(long now) {
        long window = settings.forwardWindow().toMillis();
        if (!relayUpdates) {
            return windowEnd(now, window);
        }
        if (peers.size() == 2) {
            return windowEnd(now, window) + window / 2;
        }
        return windowEnd(now + window / 2, window) - window / 2;
    }

    /** Operations that were not applied in time get error 0: they may still be applied later, or never. */
    private void expireClients(long now, Effects out) {
        var it = pending.entrySet().iterator();
        while (it.hasNext()) {
            var next = it.next();
            if (next.getValue().deadline() > now) {
                break;
            }
            it.remove();
            toForward.remove(next.getKey());
            awaitingLog.remove(next.getKey());
            if (neverSent.remove(next.getKey())) {
                // It never left this node, so saying it did not happen is a promise we can keep.
                out.fail(next.getValue().request(), RpcError.unavailable("no leader known in term " + term));
            } else {
                out.fail(next.getValue().request(), RpcError.timeout("not applied in time; it may still take effect"));
            }
        }
    }

    // ---- elections ----------------------------------------------------------------------------

    private void resetElectionDeadline(long now) {
        long min = settings.electionTimeoutMin().toMillis();
        long spread = settings.electionTimeoutMax().toMillis() - min;
        // Safety never depends on timing, so the timeout may grow for a node nobody answers.
        long backoff = 1L << Math.min(unansweredElections, 3);
        electionDeadline = now + (min + (long) (random.nextDouble() * spread)) * backoff;
    }

    private void startElection(long now, Effects out) {
        unansweredElections = electionAnswered ? 0 : unansweredElections + 1;
        electionAnswered = false;
        term++;
        role = Role.CANDIDATE;
        votedFor = self;
        votes = new HashSet<>(Set.of(self));
        setLeader(null, now);
        resetElectionDeadline(now);
        if (votes.size() >= majority) {
            becomeLeader(now, out);
            return;
        }
        RequestVote request = new RequestVote(term, lastIndex(), termAt(lastIndex()));
        peers.forEach(peer -> out.send(peer, request));
    }

    private void onRequestVote(String candidate, RequestVote request, long now, Effects out) {
        unansweredElections = 0; // someone reaches us
        electionAnswered = true;
        observeTerm(request.term(), now);
        boolean upToDate = request.lastTerm() > termAt(lastIndex())
                || (request.lastTerm() == termAt(lastIndex()) && request.lastIndex() >= lastIndex());
        boolean grant = request.term() == term && upToDate && (votedFor == null || votedFor.equals(candidate));
        if (grant) {
            votedFor = candidate;
            resetElectionDeadline(now);
        }
        // Elections are rare and a vote is what a partition with one-way links most often loses: all ways.
        sendAllWays(candidate, new Vote(term, grant), out);
    }

    private void onVote(String voter, Vote vote, long now, Effects out) {
        electionAnswered = true;
        observeTerm(vote.term(), now);
        if (role == Role.CANDIDATE && vote.term() == term && vote.granted()) {
            votes.add(voter);
            if (votes.size() >= majority) {
                becomeLeader(now, out);
            }
        }
    }

    /** A higher term seen anywhere ends whatever this node was doing in its own term. */
    private void observeTerm(long seen, long now) {
        if (seen > term) {
            term = seen;
            votedFor = null;
            becomeFollower(null, now);
        }
    }

    private void becomeFollower(String newLeader, long now) {
        if (role != Role.FOLLOWER) {
            role = Role.FOLLOWER;
            followers = Map.of();
            votes = Set.of();
            resetElectionDeadline(now);
        }
        setLeader(newLeader, now);
    }

    private void becomeLeader(long now, Effects out) {
        role = Role.LEADER;
        followers = new LinkedHashMap<>();
        for (String peer : peers) {
            Follower f = new Follower(peer);
            f.next = lastIndex() + 1; // optimistic: the consistency check finds where its log parts from ours
            f.lastHeardAt = now;
            f.lastHeardDirectlyAt = now;
            f.lastSentAt = now;
            f.probeWait = settings.heartbeatInterval().toMillis();
            markUrgent(f, now); // announce the term at once: followers stop their elections
            followers.put(peer, f);
        }
        resultToSend = null;
        updateAt = Long.MAX_VALUE;
        setLeader(self, now);
        // Entries of earlier terms commit only with one of this term (the paper's section 5.4.2).
        append(new Entry<>(term, self, 0, null), now, out);
        // Own clients' operations that may have been lost with the old leader: applying skips a second copy.
        for (Map.Entry<Long, Pending<C>> op : pending.entrySet()) {
            append(new Entry<>(term, self, op.getKey(), op.getValue().command()), now, out);
        }
        toForward.clear();
        awaitingLog.clear();
        neverSent.clear();
        reforwardAt = Long.MAX_VALUE;
    }

    /** A new leader known: own operations not yet applied are carried to it (applying skips duplicates). */
    private void setLeader(String newLeader, long now) {
        if (newLeader != null && !newLeader.equals(leader) && !newLeader.equals(self)) {
            toForward.addAll(pending.keySet());
            awaitingLog.clear();
            reforwardAt = Long.MAX_VALUE;
            if (!toForward.isEmpty()) {
                updateAt = Math.min(updateAt, now);
            }
        }
        leader = newLeader;
        if (newLeader == null) {
            resultToSend = null;
            updateAt = Long.MAX_VALUE;
        }
    }

    // ---- replication: the leader's side -------------------------------------------------------

    private void append(Entry<C> entry, long now, Effects out) {
        log.add(entry);
        if (peers.isEmpty()) {
            advanceCommit(now, out);
            return;
        }
        Follower origin = followers.get(entry.origin());
        if (origin != null) {
            // Its operations come batched already: the entries go back at once (the leader's own ride along).
            markUrgent(origin, now);
            if (majority > 2) {
                replicateAt = now; // its origin cannot commit alone: the other acknowledgements are needed now
            }
        } else {
            // The leader's own entries ride on the answers to the followers' updates, which come just after the
            // end of each window; only when none came for half a window more do they go out by themselves.
            long window = settings.appendWindow().toMillis();
            replicateAt = Math.min(replicateAt, windowEnd(now, window) + window / 2);
        }
    }

    private void markUrgent(Follower f, long now) {
        f.urgent = true;
        f.urgentAt = Math.min(f.urgentAt, now);
    }

    /**
     * Sends what must go now: entries to the followers that wait for them; the newest entries to as many
     * of the best caught-up followers as a commit needs (the others get them with their heartbeat); and
     * a heartbeat to followers that heard nothing for a heartbeat interval.
     */
    private void leaderTick(long now, Effects out) {
        long heard = followers.values().stream()
                .filter(f -> now - f.lastHeardAt <= settings.electionTimeoutMax().toMillis()).count();
        if (heard + 1 < majority) {
            // Cut off from the majority: nothing it appends can commit. As a follower that knows no leader it
            // answers new operations 11 at once instead of appending them in vain.
            becomeFollower(null, now);
            return;
        }
        for (Follower f : followers.values()) {
            if (f.urgent && f.urgentAt <= now) {
                sendAppend(f, now, out);
            }
        }
        if (replicateAt <= now) {
            replicateAt = Long.MAX_VALUE;
            // Followers our appends reach directly first (one message, not two), then the ones heard from most
            // recently (they answer soonest); the rest wait for their heartbeat.
            List<Follower> byMatch = new ArrayList<>(followers.values());
            byMatch.sort(Comparator.comparing((Follower f) -> f.unheard).thenComparing(f -> -f.lastHeardAt));
            long holding = byMatch.stream().filter(f -> f.next > lastIndex()).count();
            for (Follower f : byMatch) {
                if (holding >= majority - 1) {
                    break;
                }
                if (f.next <= lastIndex()) {
                    sendAppend(f, now, out);
                    holding++;
                }
            }
        }
        for (Follower f : followers.values()) {
            if (now - f.lastSentAt >= heartbeatPeriod(f)) {
                sendAppend(f, now, out);
            }
        }
    }

    /**
     * A follower speaks at least once per heartbeat interval (see {@link #onAppend}). One silent for longer
     * may be behind a one-way link: it is reached through the other followers too, and told to answer that
     * way. One that stays silent even so is cut off, and gets a heartbeat only once per maximum election
     * timeout until it speaks again.
     */
    private long heartbeatPeriod(Follower f) {
        long cutOff = 2 * settings.electionTimeoutMax().toMillis();
        return f.lastSentAt - f.lastHeardAt <= cutOff ? settings.heartbeatInterval().toMillis() : settings.electionTimeoutMax().toMillis();
    }

    private boolean silent(Follower f, long now) {
        return now - f.lastHeardDirectlyAt > 2 * settings.heartbeatInterval().toMillis();
    }

    private void sendAppend(Follower f, long now, Effects out) {
        if (now - f.lastSentAt >= settings.heartbeatInterval().toMillis() && f.match < f.next - 1) {
            f.next = f.match + 1; // sent a heartbeat interval ago and never acknowledged: lost, send again
        }
        long prev = f.next - 1;
        long to = Math.min(lastIndex(), prev + settings.maxEntriesPerAppend());
        List<WireEntry> entries = new ArrayList<>();
        for (long i = prev + 1; i <= to; i++) {
            Entry<C> e = entryAt(i);
            entries.add(new WireEntry(e.term(), e.origin(), e.id(), e.command() == null ? null : machine.encode(e.command())));
        }
        // A follower we do not hear directly is told to answer around us; one our appends do not reach
        // directly gets them around, and the direct way now and then (to notice a heal).
        AppendEntries append = new AppendEntries(term, prev, termAt(prev), commitIndex, entries, silent(f, now) ? Boolean.TRUE : null);
        if (!f.unheard) {
            out.send(f.id, append);
        } else if (now - f.lastProbedAt >= f.probeWait) {
            f.lastProbedAt = now;
            f.probeWait = nextProbeWait(f.probeWait);
            sendAllWays(f.id, append, out);
        } else {
            sendAround(f.id, append, out);
        }
        f.next = to + 1;
        f.lastSentAt = now;
        f.urgent = to < lastIndex(); // a lagging follower gets the next batch right away
        f.urgentAt = f.urgent ? now : Long.MAX_VALUE;
    }

    /**
     * Trying a broken direct way costs a message that is lost while the break lasts: the first try comes one
     * heartbeat interval after the break is noticed, each further one waits twice as long, up to four
     * intervals (so a heal is noticed within about that long).
     */
    private long nextProbeWait(long wait) {
        return Math.min(2 * wait, PROBE_WAIT_LIMIT * settings.heartbeatInterval().toMillis());
    }

    /** The end of the batching window {@code now} falls in; windows are aligned to the clock, so all nodes' coincide. */
    private static long windowEnd(long now, long window) {
        return window == 0 ? now : (now + window - 1) / window * window;
    }

    private void onUpdate(String from, FollowerUpdate update, long now, Effects out) {
        observeTerm(update.term(), now);
        if (role != Role.LEADER) {
            return; // the follower re-forwards to whoever it learns leads
        }
        for (ForwardedOp op : update.ops()) {
            if (!applied(from, op.id())) {
                append(new Entry<>(term, from, op.id(), machine.decode(op.cmd())), now, out);
            }
        }
        AppendResult result = update.result();
        Follower f = followers.get(from);
        if (f != null) {
            f.lastHeardAt = now;
            if (!takingRelayed) {
                f.lastHeardDirectlyAt = now;
            }
            boolean unheard = update.unheard() != null;
            if (unheard && !f.unheard) {
                f.probeWait = settings.heartbeatInterval().toMillis();
            }
            f.unheard = unheard;
        }
        if (result == null || f == null || update.term() != term) {
            return;
        }
        if (result.success()) {
            if (result.matchIndex() > f.match) {
                f.match = result.matchIndex();
                advanceCommit(now, out);
            }
            f.next = Math.max(f.next, f.match + 1);
        } else {
            f.next = backOff(result);
            f.next = Math.min(Math.max(f.next, f.match + 1), lastIndex() + 1);
            markUrgent(f, now);
        }
    }

    /** The fast back-off of the paper's section 5.3: skip a whole conflicting term per round trip. */
    private long backOff(AppendResult result) {
        if (result.conflictTerm() > 0) {
            for (long i = lastIndex(); i >= 1; i--) {
                long t = termAt(i);
                if (t == result.conflictTerm()) {
                    return i + 1;
                }
                if (t < result.conflictTerm()) {
                    break;
                }
            }
        }
        return Math.max(1, result.conflictIndex());
    }

    /** Commits the newest entry of this term that a majority holds; older terms' entries commit with it. */
    private void advanceCommit(long now, Effects out) {
        long before = commitIndex;
        for (long n = lastIndex(); n > commitIndex && termAt(n) == term; n--) {
            int holders = 1;
            for (Follower f : followers.values()) {
                if (f.match >= n) {
                    holders++;
                }
            }
            if (holders >= majority) {
                commitIndex = n;
                break;
            }
        }
        if (majority > 2) {
            // Origins of newly committed entries learn it from us; in a cluster of three they knew on receipt.
            for (long i = before + 1; i <= commitIndex; i++) {
                Follower origin = followers.get(entryAt(i).origin());
                if (origin != null) {
                    markUrgent(origin, now);
                }
            }
        }
        applyCommitted(out);
    }

    // ---- replication: the follower's side -----------------------------------------------------

    private void onAppend(String from, AppendEntries append, long now, Effects out) {
        if (append.term() < term) {
            // A deposed leader: our term tells it so.
            out.send(from, new FollowerUpdate(term, new AppendResult(false, 0, 0, 0), null));
            return;
        }
        observeTerm(append.term(), now);
        becomeFollower(from, now);
        boolean relay = append.relay() != null;
        if (relay && !relayUpdates) {
            probeLeaderWait = settings.heartbeatInterval().toMillis();
        }
        relayUpdates = relay;
        if (!takingRelayed) {
            lastDirectAppendAt = now;
        }
        unansweredElections = 0;
        electionAnswered = true;
        resetElectionDeadline(now);

        long prev = append.prevIndex();
        if (prev > lastIndex()) {
            answer(new AppendResult(false, 0, 0, lastIndex() + 1), now, out);
            return;
        }
        if (termAt(prev) != append.prevTerm()) {
            long conflictTerm = termAt(prev);
            long first = prev;
            while (first > 1 && termAt(first - 1) == conflictTerm) {
                first--;
            }
            answer(new AppendResult(false, 0, conflictTerm, first), now, out);
            return;
        }
        // With more than three nodes, the origins of others' entries wait for the commit our acknowledgement
        // helps complete. With three, only the leader's own clients wait on it, and for the median client
        // (two in three talk to followers) an acknowledgement that rides on our next update costs less.
        boolean someoneWaits = false;
        long index = prev;
        for (WireEntry e : append.entries()) {
            index++;
            if (majority > 2 && !e.origin().equals(self)) {
                someoneWaits = true;
            }
            if (index <= lastIndex()) {
                if (termAt(index) == e.term()) {
                    continue; // already held (a duplicate or resent append)
                }
                truncateFrom(index);
            }
            log.add(new Entry<>(e.term(), e.origin(), e.id(), e.cmd() == null ? null : machine.decode(e.cmd())));
            if (e.origin().equals(self)) {
                awaitingLog.remove(e.id());
            }
        }
        long matched = index;
        long committed = Math.min(append.commit(), matched);
        if (majority <= 2 && matched > 0 && termAt(matched) == term) {
            // The leader of this term holds it and so do we: a majority of at most three.
            committed = matched;
        }
        if (committed > commitIndex) {
            commitIndex = committed;
        }
        if (awaitingLog.isEmpty()) {
            reforwardAt = Long.MAX_VALUE;
            reforward.succeeded();
        }
        applyCommitted(out);
        if (!append.entries().isEmpty()) {
            // Otherwise the acknowledgement waits a little for an update that carries it anyway.
            answer(new AppendResult(true, matched, 0, 0), someoneWaits ? now : now + settings.ackDelay().toMillis(), now, out);
        } else if (now - lastUpdateSentAt >= settings.heartbeatInterval().toMillis() * 3 / 4) {
            // Nothing said for about a heartbeat interval: the leader must know we hear it (check quorum; and
            // a follower it does not hear is reached, and answers, through the other peers too).
            answer(new AppendResult(true, matched, 0, 0), now, out);
        }
    }

    private void answer(AppendResult result, long now, Effects out) {
        answer(result, now, now, out);
    }

    private void answer(AppendResult result, long due, long now, Effects out) {
        if (resultToSend == null || !result.success() || !resultToSend.success()
                || result.matchIndex() >= resultToSend.matchIndex()) {
            resultToSend = result;
        }
        updateAt = Math.min(updateAt, due);
        if (updateAt <= now) {
            sendUpdate(now, out);
        }
    }

    private void sendUpdate(long now, Effects out) {
        flushHeldRelays(out);
        List<ForwardedOp> ops = new ArrayList<>();
        for (long id : toForward) {
            Pending<C> op = pending.get(id);
            if (op != null) {
                ops.add(new ForwardedOp(id, machine.encode(op.command())));
                awaitingLog.add(id);
                neverSent.remove(id);
            }
        }
        toForward.clear();
        if (resultToSend != null || !ops.isEmpty()) {
            boolean unheard = now - lastDirectAppendAt > settings.heartbeatInterval().toMillis() * 3 / 2;
            FollowerUpdate update = new FollowerUpdate(term, resultToSend, ops.isEmpty() ? null : ops, unheard ? Boolean.TRUE : null);
            if (relayUpdates && now - lastProbedLeaderAt >= probeLeaderWait) {
                lastProbedLeaderAt = now;
                probeLeaderWait = nextProbeWait(probeLeaderWait);
                sendAllWays(leader, update, out);
            } else if (relayUpdates) {
                sendAround(leader, update, out);
            } else {
                out.send(leader, update);
            }
            lastUpdateSentAt = now;
        }
        resultToSend = null;
        updateAt = Long.MAX_VALUE;
        if (!ops.isEmpty() && reforwardAt == Long.MAX_VALUE) {
            reforwardAt = now + settings.heartbeatInterval().toMillis();
        }
    }

    /** Own operations carried to the leader that never came back in an append: carried again, paced by the policy. */
    private void reforwardUnseen(long now) {
        awaitingLog.removeIf(id -> !pending.containsKey(id));
        if (awaitingLog.isEmpty()) {
            reforwardAt = Long.MAX_VALUE;
            reforward.succeeded();
            return;
        }
        long wait = reforward.afterFailure(RpcError.timeout("forwarded operations not seen in an append"));
        if (wait == Backoff.GIVE_UP) {
            awaitingLog.clear(); // they answer 0 at their deadline
            reforwardAt = Long.MAX_VALUE;
            return;
        }
        toForward.addAll(awaitingLog);
        awaitingLog.clear();
        updateAt = now;
        reforwardAt = now + Math.max(1, wait);
    }

    private void truncateFrom(long index) {
        while (lastIndex() >= index) {
            log.remove(log.size() - 1);
        }
    }

    // ---- applying -----------------------------------------------------------------------------

    /** Applies committed entries in log order; the origin of each answers its client. */
    private void applyCommitted(Effects out) {
        while (lastApplied < commitIndex) {
            Entry<C> e = entryAt(++lastApplied);
            if (e.command() == null || !appliedIds.computeIfAbsent(e.origin(), o -> new HashSet<>()).add(e.id())) {
                continue; // a no-op, or an operation carried twice that already took effect
            }
            R result = machine.apply(e.command());
            if (e.origin().equals(self)) {
                Pending<C> op = pending.remove(e.id());
                toForward.remove(e.id());
                awaitingLog.remove(e.id());
                if (op != null) {
                    machine.answer(op.request(), result, out);
                }
            }
        }
    }

    private boolean applied(String origin, long id) {
        Set<Long> ids = appliedIds.get(origin);
        return ids != null && ids.contains(id);
    }

    // ---- the log ------------------------------------------------------------------------------

    private long lastIndex() {
        return log.size();
    }

    private long termAt(long index) {
        return index == 0 ? 0 : log.get((int) index - 1).term();
    }

    private Entry<C> entryAt(long index) {
        return log.get((int) index - 1);
    }

    // ---- one message per peer and step ------------------------------------------------------------

    /**
     * The effects of one step (a message taken, a tick): sends to the same peer are collected and go out
     * together when the step ends, as one {@link Bundle} when there are several; answers to clients go at once.
     */
    private static final class Outbox implements Effects {
        private final Effects out;
        private final Map<String, List<Body>> byPeer = new LinkedHashMap<>();

        Outbox(Effects out) {
            this.out = out;
        }

        @Override
        public void send(String dest, Body body) {
            byPeer.computeIfAbsent(dest, d -> new ArrayList<>()).add(body);
        }

        @Override
        public void reply(Message request, Body body) {
            out.reply(request, body);
        }

        @Override
        public void fail(Message request, RpcError error) {
            out.fail(request, error);
        }

        @Override
        public long request(String dest, Body body) {
            return out.request(dest, body);
        }

        void flush() {
            byPeer.forEach((peer, bodies) -> {
                if (bodies.size() == 1) {
                    out.send(peer, bodies.get(0));
                } else {
                    out.send(peer, new Bundle(bodies.stream().map(Wire::tree).toList()));
                }
            });
            byPeer.clear();
        }
    }

    // ---- for tests ----------------------------------------------------------------------------

    /** The election timer fires now (tests force the interleavings they examine). */
    void electionTimeout(long now, Effects out) {
        startElection(now, out);
    }

    Role role() {
        return role;
    }

    long term() {
        return term;
    }

    String leader() {
        return leader;
    }

    long commitIndex() {
        return commitIndex;
    }

    List<Entry<C>> log() {
        return List.copyOf(log);
    }
}
