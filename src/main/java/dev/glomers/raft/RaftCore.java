package dev.glomers.raft;

import dev.glomers.node.Core;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.raft.RaftMessages.AppendEntries;
import dev.glomers.raft.RaftMessages.FollowerUpdate;
import dev.glomers.raft.RaftMessages.PreVote;
import dev.glomers.raft.RaftMessages.PreVoteResult;
import dev.glomers.raft.RaftMessages.Rejoin;
import dev.glomers.raft.RaftMessages.RequestVote;
import dev.glomers.raft.RaftMessages.Vote;
import dev.glomers.raft.RaftMessages.InstallSnapshot;
import dev.glomers.raft.RaftMessages.SnapshotAck;
import dev.glomers.retry.Backoff;
import dev.glomers.storage.Stored;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Raft (the extended paper by Ongaro and Ousterhout) as a pure {@link Core}, replicating any
 * {@link StateMachine}: the core contract (receive, tick, wake), roles, term and vote. The rest is in its own
 * classes, as etcd-io/raft splits it, and calls back into this one to change a role or a term: elections
 * ({@link Elections}); the commit index and its rules, the three-node shortcut among them ({@link CommitRule});
 * what a leader's append or snapshot chunk does at its receiver ({@link FollowerSide}, with the consistency
 * check in {@link LogMatching}); a leader's proposals and what its followers answer ({@link LeaderSide}); the
 * log ({@link RaftLog}); a leader's view of each follower and what it sends when ({@link Replicator},
 * {@link FollowerProgress}); applying and snapshots of what was applied ({@link Applier}, {@link Compaction},
 * {@link SnapshotTransfer}); client operations at their origin ({@link Proposals}); reads ({@link ReadIndex},
 * {@link ReadAnswers}); what a follower says to its leader ({@link FollowerChannel}); how a node that knows no
 * leader gets one to speak to it ({@link Rejoining}); and the ways messages take, in ({@link Inbox}) and out
 * ({@link Links}, {@link RelayPassing}, {@link Outbox}). docs/lin-kv.md explains the message economy on top.
 */
public final class RaftCore<C, R> implements Core {

    enum Role { FOLLOWER, PRE_CANDIDATE, CANDIDATE, LEADER }

    /** 2023-11-14, in seconds: where the request-id epochs of nodes without a data directory count from. */
    private static final long CLOCK_EPOCH_BASE_SECONDS = 1_700_000_000L;

    private final String self;
    private final List<String> peers;
    private final int majority;
    private final StateMachine<C, R> machine;
    private final Links links;
    private final Proposals<C> proposals;
    private final FollowerChannel<C> channel;
    private final RelayPassing<C> relays;
    private final Replicator<C> replicator;
    private final RaftDisk<C> disk;
    private final ReadIndex reads;
    private final SnapshotTransfer snapshots;
    private final Elections elections;
    private final Applier<C, R> applier;
    private final Inbox inbox;
    private final FollowerSide<C> followerSide;
    private final LeaderSide<C> leaderSide;
    private final Rejoining rejoining;
    private final CommitRule<C> commit;

    // ---- Raft's state ----
    private long term;
    private String votedFor;
    private final RaftLog<C> log = new RaftLog<>();
    private Role role = Role.FOLLOWER;
    /** The leader of {@link #term} as far as this node knows; null when it knows none. */
    private String leader;
    /** The epoch of the last run recovered from disk (0: none); this run's is one more. */
    private long recoveredEpoch;

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
        long heartbeat = settings.heartbeatInterval().toMillis();
        this.links = new Links(self, peers, heartbeat, settings.ringWindow().toMillis(), settings.ringLapGap().toMillis());
        this.proposals = new Proposals<>(reforward, settings.clientTimeout().toMillis(), heartbeat);
        this.channel = new FollowerChannel<>(settings, links, proposals, machine);
        this.relays = new RelayPassing<>(links, channel, settings, peers.size());
        this.reads = new ReadIndex(self, majority);
        Compaction<C> compaction = new Compaction<>(log, machine, proposals.appliedTable(), settings.snapshotEvery());
        this.snapshots = new SnapshotTransfer(compaction, heartbeat, settings.snapshotChunkSize());
        this.replicator = new Replicator<>(log, machine, settings, links, majority, reads, snapshots);
        ReadAnswers<C, R> readAnswers = new ReadAnswers<>(reads, proposals, machine, replicator, channel, settings, majority, peers.size());
        this.disk = new RaftDisk<>(machine);
        LogMatching<C> matching = new LogMatching<>(self, majority, log, machine, proposals, disk, channel);
        this.elections = new Elections(self, peers, majority, settings, random, links, log, this);
        this.applier = new Applier<>(self, log, machine, proposals, compaction, replicator, readAnswers, disk, this);
        this.commit = new CommitRule<>(log, replicator, applier, majority);
        this.rejoining = new Rejoining(peers, heartbeat, settings.electionTimeoutMax().toMillis());
        this.inbox = new Inbox(self, links, relays, this);
        this.followerSide = new FollowerSide<>(settings, links, channel, elections, readAnswers, matching, snapshots, applier, commit, inbox, this);
        this.leaderSide = new LeaderSide<>(log, machine, proposals, replicator, reads, readAnswers, snapshots, applier, commit, disk,
                inbox, heartbeat, peers.isEmpty(), this);
    }

    // ---- the Core contract ------------------------------------------------------------------

    /**
     * A restart: term, vote and log as they were synced. Nothing is known committed (commitIndex 0, an empty
     * state machine): the leader's commit index brings applying back, and with it the applied-request table.
     */
    @Override
    public void recover(Stored stored) {
        RaftDisk.Recovered<C> recovered = disk.read(stored);
        term = recovered.term();
        votedFor = recovered.votedFor();
        if (recovered.snapshot() != null) {
            // What the snapshot covers was committed and applied: the state machine starts from it.
            commit.recovered(recovered.snapshot());
        }
        recovered.log().forEach(log::append);
        recoveredEpoch = recovered.epoch();
    }

    @Override
    public void start(long now, Effects out) {
        if (out.durable()) {
            // Persisted before anything is sent: a request id of this run that reaches a peer is never reused.
            proposals.setEpoch(recoveredEpoch + 1);
            out.persist(RaftDisk.epoch(recoveredEpoch + 1));
        } else {
            // Only the clock tells this run from the last: a node restarted without its data must not reuse an id
            // its last run had applied (its new operation would get the old one's result). Small: epoch << 32.
            proposals.setEpoch(Math.max(1, now / 1000 - CLOCK_EPOCH_BASE_SECONDS));
        }
        elections.startSoon(now);
        rejoining.start(log.lastIndex(), now, out);
    }

    @Override
    public void receive(Message message, long now, Effects out) {
        Outbox outbox = new Outbox(out, links, now);
        try {
            inbox.take(message, now, outbox);
        } finally {
            outbox.flush();
        }
    }

    /** A member's message, however it came ({@link Inbox}): to the part of Raft that takes its type. */
    void step(Message message, long now, Effects out) {
        switch (message.type()) {
            case RaftMessages.APPEND -> followerSide.onAppend(message.src(), AppendEntries.read(message.body()), now, out);
            case RaftMessages.UPDATE -> leaderSide.onUpdate(message.src(), FollowerUpdate.read(message.body()), now, out);
            case RaftMessages.REQUEST_VOTE -> elections.onRequestVote(message.src(), RequestVote.read(message.body()), now, out);
            case RaftMessages.VOTE -> elections.onVote(message.src(), Vote.read(message.body()), now, out);
            case RaftMessages.PRE_VOTE -> elections.onPreVote(message.src(), PreVote.read(message.body()), now, out);
            case RaftMessages.PRE_VOTE_RESULT -> elections.onPreVoteResult(message.src(), PreVoteResult.read(message.body()), now, out);
            case InstallSnapshot.TYPE -> followerSide.onInstallSnapshot(message.src(), InstallSnapshot.read(message.body()), now, out);
            case SnapshotAck.TYPE -> leaderSide.onSnapshotAck(message.src(), SnapshotAck.read(message.body()), now, out);
            case Rejoin.TYPE -> leaderSide.onRejoin(message.src(), Rejoin.read(message.body()), now);
            default -> onClientRequest(message, now, out);
        }
    }

    @Override
    public void tick(long now, Effects out) {
        Outbox outbox = new Outbox(out, links, now);
        try {
            onTick(now, outbox);
        } finally {
            outbox.flush();
        }
    }

    private void onTick(long now, Effects out) {
        proposals.expire(now, term, out);
        reads.expire(now, id -> proposals.pendingIds().contains(id));
        if (links.heldUntil() <= now) {
            relays.passHeld(followedLeader(), term, now, out);
        }
        if (role != Role.LEADER && now >= elections.deadline()) {
            elections.startPreVote(now, out);
        }
        if (clientsWaitForLeader()) {
            rejoining.clientsWait(log.lastIndex(), now, out);
        }
        if (role == Role.LEADER) {
            if (replicator.recentlyHeard(now) < majority) {
                // Check quorum: cut off from the majority, nothing it appends can commit. As a follower that knows
                // no leader it answers new operations 11 at once instead of appending them in vain.
                becomeFollower(null, now);
                return;
            }
            replicator.tick(term, commit.index(), now, out);
        } else if (leader != null) {
            if (now >= proposals.reforwardAt() && proposals.reforwardUnseen(now)) {
                channel.dueBy(now);
            }
            if (channel.updateAt() <= now) {
                channel.send(term, leader, now, out);
            }
        }
    }

    @Override
    public long wakeAt() {
        long wake = Math.min(proposals.nextDeadline(), reads.nextDeadline());
        if (role == Role.LEADER) {
            return Math.min(wake, replicator.wakeAt());
        }
        wake = Math.min(wake, Math.min(elections.deadline(), links.heldUntil()));
        if (clientsWaitForLeader()) {
            wake = Math.min(wake, rejoining.askAt());
        }
        if (leader != null) {
            wake = Math.min(wake, Math.min(channel.updateAt(), proposals.reforwardAt()));
        }
        return wake;
    }

    /** No leader known while own clients' operations wait to be carried to one. */
    private boolean clientsWaitForLeader() {
        return leader == null && proposals.hasToForward();
    }

    /** The leader this node follows, for what it passes on; null when none is known or it is not a follower. */
    String followedLeader() {
        return role == Role.FOLLOWER ? leader : null;
    }

    // ---- clients ------------------------------------------------------------------------------

    void onClientRequest(Message request, long now, Effects out) {
        if (!request.fromClient()) {
            return; // an unknown message from a node: nothing to answer
        }
        C command = machine.command(request);
        long id = proposals.add(request, command, now);
        if (role == Role.LEADER) {
            leaderSide.propose(self, id, command, proposals.floor(), now, out);
        } else if (leader == null) {
            proposals.holdForLeader(id); // until a leader is known (an election may be under way), or 11 at its deadline
            rejoining.clientsWait(log.lastIndex(), now, out);
        } else {
            proposals.forward(id);
            channel.dueBy(channel.forwardAt(now, peers.size()));
        }
    }

    // ---- roles and terms (the elections that change them are in Elections) ----------------------

    /** The election timer fired: no leader known while this node asks whether it could win. */
    void becomePreCandidate(long now) {
        role = Role.PRE_CANDIDATE;
        setLeader(null, now);
    }

    /** A majority would vote for us: a new term, our own vote in it. */
    void becomeCandidate(long now, Effects out) {
        role = Role.CANDIDATE;
        setTermAndVote(term + 1, self, out);
        setLeader(null, now);
    }

    /** A higher term seen anywhere ends whatever this node was doing in its own term. */
    void observeTerm(long seen, long now, Effects out) {
        if (seen > term) {
            setTermAndVote(seen, null, out);
            becomeFollower(null, now);
        }
    }

    /** The paper's currentTerm and votedFor change together, and are persisted (when durable) before anything that follows is sent. */
    void setTermAndVote(long newTerm, String vote, Effects out) {
        term = newTerm;
        votedFor = vote;
        if (out.durable()) {
            out.persist(RaftDisk.termAndVote(term, votedFor));
        }
    }

    void becomeFollower(String newLeader, long now) {
        if (role != Role.FOLLOWER) {
            role = Role.FOLLOWER;
            reads.reset();
            replicator.stop();
            elections.stopCampaign(now);
        }
        setLeader(newLeader, now);
    }

    void becomeLeader(long now, Effects out) {
        role = Role.LEADER;
        reads.reset();
        replicator.start(peers, now);
        snapshots.stop();
        channel.clear();
        setLeader(self, now);
        // Entries of earlier terms commit only with one of this term (the paper's section 5.4.2).
        leaderSide.append(new Entry<>(term, self, 0, null), now, out);
        // Own clients' operations that may have been lost with the old leader: applying skips a second copy.
        for (Map.Entry<Long, Proposals.Pending<C>> op : proposals.becameLeader().entrySet()) {
            leaderSide.propose(self, op.getKey(), op.getValue().command(), proposals.floor(), now, out);
        }
    }

    /** A new leader known: own operations not yet applied are carried to it (applying skips duplicates). */
    private void setLeader(String newLeader, long now) {
        if (newLeader != null && !newLeader.equals(leader) && !newLeader.equals(self) && proposals.leaderChanged()) {
            channel.dueBy(now);
        }
        leader = newLeader;
        if (newLeader == null) {
            channel.clear();
        } else {
            rejoining.leaderKnown();
        }
    }

    // ---- for tests; the classes split out read role, term, vote, leader and commit index through these too ----

    /** The election timer fires now: a pre-vote first (tests force the interleavings they examine). */
    void electionTimeout(long now, Effects out) {
        elections.startPreVote(now, out);
    }

    /** An election proper, skipping the pre-vote (tests of the vote rules themselves). */
    void campaign(long now, Effects out) {
        elections.campaign(now, out);
    }

    Role role() {
        return role;
    }

    long term() {
        return term;
    }

    String votedFor() {
        return votedFor;
    }

    /** This run's epoch: one more than the last run's recovered from disk (what a snapshot on disk records). */
    long epoch() {
        return recoveredEpoch + 1;
    }

    String leader() {
        return leader;
    }

    long commitIndex() {
        return commit.index();
    }

    /** The entries after the snapshot base. */
    List<Entry<C>> log() {
        return log.entries();
    }

    int readsHeld() {
        return reads.size();
    }

    /** The last index the snapshot covers (0: none): {@link #log()} starts after it. */
    long logBase() {
        return log.baseIndex();
    }

    int appliedTableSize() {
        return proposals.appliedTable().size();
    }
}
