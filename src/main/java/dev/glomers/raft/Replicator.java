package dev.glomers.raft;

import dev.glomers.node.Body;
import dev.glomers.node.Effects;
import dev.glomers.raft.RaftMessages.AppendEntries;
import dev.glomers.raft.RaftMessages.AppendResult;
import dev.glomers.raft.RaftMessages.InstallSnapshot;
import dev.glomers.raft.RaftMessages.WireEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A leader's side of replication: one {@link FollowerProgress} per follower, and which appends go out when. The
 * paper's rule is that every follower eventually gets every entry; the economy on top is that new entries
 * go at once only to the followers that must have them now (the origins of forwarded operations, plus as
 * many of the best caught-up followers as a majority needs), the others get them with their next
 * heartbeat, and heartbeats go only to followers that heard nothing for a heartbeat interval.
 */
final class Replicator<C> {

    private final RaftLog<C> log;
    private final StateMachine<C, ?> machine;
    private final RaftProperties settings;
    private final Links links;
    private final int majority;
    private final ReadIndex reads;
    private final SnapshotTransfer snapshots;
    private Map<String, FollowerProgress> followers = Map.of();
    /** When the leader's own new entries must be on their way to enough followers for a commit. */
    private long replicateAt = Long.MAX_VALUE;
    /** When the newest read round must be on its way to enough followers for a majority. */
    private long roundAt = Long.MAX_VALUE;
    /** Our own operations waiting for the next lap of a three-node ring ({@link Links#lapping}): a second starts it. */
    private int ownWaiting;
    /** With three nodes, whether our own clients are most of the load (see {@link LeaderShare}). */
    private final LeaderShare ownShare;

    Replicator(RaftLog<C> log, StateMachine<C, ?> machine, RaftProperties settings, Links links, int majority, ReadIndex reads,
               SnapshotTransfer snapshots) {
        this.log = log;
        this.reads = reads;
        this.machine = machine;
        this.settings = settings;
        this.ownShare = new LeaderShare(settings.promptLeaderAnswers());
        this.links = links;
        this.majority = majority;
        this.snapshots = snapshots;
    }

    /** A new term of ours: every follower starts at our log's end (the consistency check finds where it parts). */
    void start(List<String> peers, long now) {
        followers = new LinkedHashMap<>();
        replicateAt = Long.MAX_VALUE;
        roundAt = Long.MAX_VALUE;
        ownWaiting = 0;
        for (String peer : peers) {
            FollowerProgress f = new FollowerProgress(peer);
            f.next = log.lastIndex() + 1;
            f.lastHeardAt = now;
            f.lastHeardDirectlyAt = now;
            f.lastSentAt = now;
            f.probeWait = links.firstProbeWait();
            f.markUrgent(now); // announce the term at once: followers stop their elections
            followers.put(peer, f);
        }
    }

    void stop() {
        followers = Map.of();
        replicateAt = Long.MAX_VALUE;
        roundAt = Long.MAX_VALUE;
        ownWaiting = 0;
    }

    /**
     * Reads wait for a new round. Like the leader's own entries, it rides on the answers to the followers'
     * updates, which come just after each window ends; only when none came for half a window more does it go
     * by itself, to as many followers as a majority needs. A follower's read with more than three nodes waits
     * for the round as its writes wait for the acknowledgements: it goes now.
     */
    void roundWanted(String origin, long now) {
        boolean followerWaits = majority > 2 && followers.containsKey(origin);
        roundAt = Math.min(roundAt, followerWaits ? now : ownWaitEnd(now));
    }

    /**
     * When the leader's own entries and read rounds go by themselves, at the latest: half a window after the window
     * ends (the answers to the followers' updates, just after each window's end, usually take them sooner). On a
     * three-node ring going in laps ({@link Links#lapping}): with the next lap, at the gap's end, or at once when
     * the gap is past or when this is the second of our operations waiting (a lap passing us sooner takes them).
     */
    private long ownWaitEnd(long now) {
        if (majority == 2 && links.lapping(now)) {
            if (++ownWaiting < 2) {
                return links.nextLapAt(now, 0);
            }
            lapPasses(now);
            return now;
        }
        long window = links.window(settings.appendWindow(), now);
        return Links.windowEnd(now, window) + window / 2;
    }

    /** A lap passes us (or starts here): our own entries and read rounds waiting for one go on with it. */
    private void lapPasses(long now) {
        replicateAt = replicateAt == Long.MAX_VALUE ? replicateAt : now;
        roundAt = roundAt == Long.MAX_VALUE ? roundAt : now;
    }

    FollowerProgress progress(String follower) {
        return followers.get(follower);
    }

    Collection<FollowerProgress> all() {
        return followers.values();
    }

    /** When the entry just appended to our log goes out. */
    void appended(Entry<C> entry, long now) {
        FollowerProgress origin = followers.get(entry.origin());
        if (entry.command() != null) {
            ownShare.taken(origin == null);
        }
        if (origin != null) {
            // Its operations come batched already: the entries go back at once (the leader's own ride along).
            origin.markUrgent(now);
            if (majority > 2) {
                replicateAt = now; // its origin cannot commit alone: the other acknowledgements are needed now
            }
        } else {
            // The leader's own entries ride on the answers to the followers' updates; they go by themselves only
            // when none came in time (ownWaitEnd).
            replicateAt = Math.min(replicateAt, ownWaitEnd(now));
        }
    }

    /** How many members (ourselves included) heard from within the longest election timeout: check quorum. */
    long recentlyHeard(long now) {
        return 1 + followers.values().stream()
                .filter(f -> now - f.lastHeardAt <= settings.electionTimeoutMax().toMillis()).count();
    }

    /**
     * Sends what must go now: entries to the followers that wait for them; the newest entries to as many
     * of the best caught-up followers as a commit needs (the others get them with their heartbeat); and
     * a heartbeat to followers that heard nothing for a heartbeat interval.
     */
    void tick(long term, long commit, long now, Effects out) {
        for (FollowerProgress f : followers.values()) {
            if (f.urgent && f.urgentAt <= now) {
                sendAppend(f, term, commit, now, out);
            }
        }
        if (replicateAt <= now || roundAt <= now) {
            ownWaiting = 0; // they go now
        }
        if (replicateAt <= now) {
            replicateAt = Long.MAX_VALUE;
            List<FollowerProgress> byMatch = firstToAsk(now);
            long holding = byMatch.stream().filter(f -> f.next > log.lastIndex()).count();
            for (FollowerProgress f : byMatch) {
                if (holding >= majority - 1) {
                    break;
                }
                if (f.next <= log.lastIndex()) {
                    sendAppend(f, term, commit, now, out);
                    holding++;
                }
            }
        }
        if (roundAt <= now) {
            roundAt = Long.MAX_VALUE;
            sendRound(term, commit, now, out);
        }
        for (FollowerProgress f : followers.values()) {
            if (now - f.lastSentAt >= heartbeatPeriod(f)) {
                sendAppend(f, term, commit, now, out);
            }
        }
    }

    /** The newest read round to the followers heard from most recently, until a majority's worth carries it. */
    private void sendRound(long term, long commit, long now, Effects out) {
        if (!reads.roundWanted()) {
            return;
        }
        List<FollowerProgress> byHeard = firstToAsk(now);
        long carrying = byHeard.stream().filter(f -> reads.carriesCurrentRound(f.id)).count();
        for (FollowerProgress f : byHeard) {
            if (carrying >= majority - 1) {
                break;
            }
            if (!reads.carriesCurrentRound(f.id)) {
                sendAppend(f, term, commit, now, out);
                carrying++;
            }
        }
    }

    /**
     * Whom the leader's own entries and read rounds go to first, when they go by themselves (the rest wait for
     * their heartbeat): followers our appends reach directly (one message, not two), then the most recently
     * heard (they answer soonest). While our own clients are most of the load (three nodes; they are then
     * acknowledged at once, see {@link LeaderShare}), of the followers heard within a heartbeat interval the
     * one we sent nothing for longest goes first: the append stands in for the heartbeat it would soon get, so
     * both followers stay busy and neither needs heartbeats (0.15-0.2 msgs/op at rate 30 when one got them all).
     */
    private List<FollowerProgress> firstToAsk(long now) {
        long recent = settings.heartbeatInterval().toMillis();
        boolean spread = majority == 2 && ownShare.leaderServesMost();
        List<FollowerProgress> order = new ArrayList<>(followers.values());
        order.sort(Comparator.comparing((FollowerProgress f) -> f.unheard)
                .thenComparing(f -> spread && now - f.lastHeardAt > recent)
                .thenComparing(f -> spread && now - f.lastHeardAt <= recent ? f.lastSentAt : -f.lastHeardAt));
        return order;
    }

    long wakeAt() {
        long wake = Math.min(replicateAt, roundAt);
        for (FollowerProgress f : followers.values()) {
            wake = Math.min(wake, f.urgent ? f.urgentAt : f.lastSentAt + heartbeatPeriod(f));
        }
        return wake;
    }

    /**
     * A follower speaks at least once per heartbeat interval (see {@link FollowerSide}'s onAppend). One silent for
     * longer may be behind a one-way link: it is reached through the other followers too, and told to answer
     * that way. One that stays silent even so is cut off, and gets a heartbeat only once per maximum election
     * timeout until it speaks again.
     */
    private long heartbeatPeriod(FollowerProgress f) {
        long cutOff = 2 * settings.electionTimeoutMax().toMillis();
        return f.lastSentAt - f.lastHeardAt <= cutOff ? settings.heartbeatInterval().toMillis() : settings.electionTimeoutMax().toMillis();
    }

    private boolean silent(FollowerProgress f, long now) {
        return now - f.lastHeardDirectlyAt > 2 * settings.heartbeatInterval().toMillis();
    }

    /** Heard in no way at all, not even passed on by a peer, for two heartbeat intervals. */
    private boolean lost(FollowerProgress f, long now) {
        return now - f.lastHeardAt > 2 * settings.heartbeatInterval().toMillis();
    }

    private void sendAppend(FollowerProgress f, long term, long commit, long now, Effects out) {
        if (now - f.lastSentAt >= settings.heartbeatInterval().toMillis() && f.match < f.next - 1) {
            f.next = f.match + 1; // sent a heartbeat interval ago and never acknowledged: lost, send again
        }
        if (f.next <= log.baseIndex()) {
            // It needs entries our snapshot replaced: it gets the snapshot, a chunk at a time.
            InstallSnapshot chunk = snapshots.nextChunk(f, term, silent(f, now) ? Boolean.TRUE : null, now);
            if (chunk != null) {
                sendTheWaysThatWork(f, chunk, now, out);
                f.lastSentAt = now;
            }
            f.urgent = false;
            f.urgentAt = Long.MAX_VALUE;
            return;
        }
        long prev = f.next - 1;
        long to = Math.min(log.lastIndex(), prev + settings.maxEntriesPerAppend());
        List<WireEntry> entries = new ArrayList<>();
        for (Entry<C> e : to > prev ? log.slice(prev + 1, to) : List.<Entry<C>>of()) {
            entries.add(new WireEntry(e.term(), e.origin(), e.id(), e.command() == null ? null : machine.encode(e.command()), e.floor()));
        }
        // A follower we do not hear directly is told to answer around us; one our appends do not reach
        // directly gets them around, and the direct way now and then (to notice a heal).
        AppendEntries append = new AppendEntries(term, prev, log.termAt(prev), commit, entries, silent(f, now) ? Boolean.TRUE : null,
                reads.carry(f.id), reads.answersFor(f.id));
        sendTheWaysThatWork(f, append, now, out);
        f.next = to + 1;
        f.lastSentAt = now;
        f.urgent = to < log.lastIndex(); // a lagging follower gets the next batch right away
        f.urgentAt = f.urgent ? now : Long.MAX_VALUE;
    }

    /** Every message to a follower, an append or a snapshot chunk, goes the ways that reach it. */
    private void sendTheWaysThatWork(FollowerProgress f, Body body, long now, Effects out) {
        if (f.unheard && now - f.lastProbedAt < f.probeWait) {
            links.sendAround(f.id, body, now, out);
        } else if (f.unheard) {
            f.lastProbedAt = now;
            f.probeWait = links.nextProbeWait(f.probeWait);
            links.sendAllWays(f.id, body, now, out);
        } else if (lost(f, now) && now - f.lastProbedAt >= f.probeWait) {
            // It may hear nothing of ours either, and then it can never say so (a non-neighbour on a five-node
            // ring): both ways, until its updates say which way works. Paced as the probes are, since a follower
            // cut off both ways (a partition of one) is lost too, and every detour to it is lost with it.
            f.lastProbedAt = now;
            f.probeWait = links.nextProbeWait(f.probeWait);
            links.sendAllWays(f.id, body, now, out);
        } else {
            out.send(f.id, body);
        }
    }

    /** A follower spoke (directly or not), and says whether our appends reach it directly. */
    void heard(FollowerProgress f, boolean direct, boolean unheard, long now) {
        if (lost(f, now)) {
            f.probeWait = links.firstProbeWait(); // found again: a later loss starts its pacing over
        }
        f.lastHeardAt = now;
        if (direct) {
            f.lastHeardDirectlyAt = now;
        }
        if (unheard && !f.unheard) {
            f.probeWait = links.firstProbeWait();
        }
        f.unheard = unheard;
        if (majority == 2 && links.lapping(now)) {
            lapPasses(now);
        }
    }

    /**
     * A follower (re)started and said so: it is heard again, so whatever pacing it had (cut off: a heartbeat per
     * maximum election timeout) starts over, and it gets an append at once. Its log ends at {@code lastIndex}:
     * restarted from its data directory it holds at least what it acknowledged, restarted without one it holds
     * nothing, and then its match must fall too, or the consistency check could never go below it.
     */
    void rejoined(FollowerProgress f, long lastIndex, boolean direct, long now) {
        heard(f, direct, false, now);
        f.match = Math.min(f.match, lastIndex);
        f.next = Math.min(f.next, lastIndex + 1);
        f.markUrgent(now);
    }

    /** The result of an append of this term; true when the follower's match advanced (the commit may move). */
    boolean acknowledged(FollowerProgress f, AppendResult result, long now) {
        if (result.success()) {
            boolean advanced = result.matchIndex() > f.match;
            if (advanced) {
                f.match = result.matchIndex();
            }
            f.next = Math.max(f.next, f.match + 1);
            return advanced;
        }
        f.next = log.nextAfterConflict(result.conflictTerm(), result.conflictIndex());
        f.next = Math.min(Math.max(f.next, f.match + 1), log.lastIndex() + 1);
        f.markUrgent(now);
        return false;
    }

    /** The lowest match among the followers heard within the longest election timeout (the entries they may still need start after it). */
    long activeMatch(long now) {
        return followers.values().stream().filter(f -> now - f.lastHeardAt <= settings.electionTimeoutMax().toMillis())
                .mapToLong(f -> f.match).min().orElse(Long.MAX_VALUE);
    }

    /** How many members (ourselves included) hold index {@code n}. */
    int holders(long n) {
        int holders = 1;
        for (FollowerProgress f : followers.values()) {
            if (f.match >= n) {
                holders++;
            }
        }
        return holders;
    }

    void markUrgent(String follower, long now) {
        FollowerProgress f = followers.get(follower);
        if (f != null) {
            f.markUrgent(now);
        }
    }
}
