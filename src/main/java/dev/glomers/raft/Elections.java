package dev.glomers.raft;

import dev.glomers.node.Effects;
import dev.glomers.raft.RaftCore.Role;
import dev.glomers.raft.RaftMessages.PreVote;
import dev.glomers.raft.RaftMessages.PreVoteResult;
import dev.glomers.raft.RaftMessages.RequestVote;
import dev.glomers.raft.RaftMessages.Vote;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Elections (the paper's section 5.2, with the thesis' pre-vote and check quorum, section 9.6): the election
 * timer and its backoff, the votes counted, and the answers to candidates. Role and term stay with
 * {@link RaftCore}, which this calls back into to change them (becoming candidate, leader, or following a
 * higher term), so that one place holds who this node is.
 */
final class Elections {

    private final String self;
    private final List<String> peers;
    private final int majority;
    private final RaftProperties settings;
    private final Random random;
    private final Links links;
    private final RaftLog<?> log;
    private final RaftCore<?, ?> core;

    private Set<String> votes = Set.of();
    private long deadline;
    /** When an append of the current leader last reached us: within the minimum election timeout we ignore elections. */
    private long leaderHeardAt = Long.MIN_VALUE / 2;
    /**
     * Elections in a row that no peer answered at all: each doubles the next timeout (up to 8 times), so a
     * node cut off from everyone campaigns ever less often. Any answer, or a leader, starts over.
     */
    private int unansweredElections;
    private boolean electionAnswered = true;

    Elections(String self, List<String> peers, int majority, RaftProperties settings, Random random, Links links,
              RaftLog<?> log, RaftCore<?, ?> core) {
        this.self = self;
        this.peers = peers;
        this.majority = majority;
        this.settings = settings;
        this.random = random;
        this.links = links;
        this.log = log;
        this.core = core;
    }

    /** When the election timer fires (a node that leads ignores it). */
    long deadline() {
        return deadline;
    }

    /** Nobody leads yet and there is nobody to disrupt: the first election comes sooner. */
    void startSoon(long now) {
        resetDeadline(now);
        deadline = now + (deadline - now) / 3;
    }

    void resetDeadline(long now) {
        long min = settings.electionTimeoutMin().toMillis();
        long spread = settings.electionTimeoutMax().toMillis() - min;
        // Safety never depends on timing, so the timeout may grow for a node nobody answers.
        long backoff = 1L << Math.min(unansweredElections, 3);
        deadline = now + (min + (long) (random.nextDouble() * spread)) * backoff;
    }

    /** A message of this term's leader (an append or a snapshot chunk) reached us: no election for a while. */
    void leaderHeard(long now) {
        leaderHeardAt = now;
        unansweredElections = 0;
        electionAnswered = true;
        resetDeadline(now);
    }

    /** This node no longer campaigns (it follows): the votes it counted are void, and the timer starts over. */
    void stopCampaign(long now) {
        votes = Set.of();
        resetDeadline(now);
    }

    /**
     * A peer answered or asked about an election: the backoff for a node nobody answered ends, and so does
     * the long wait it set. Without this, a node that was cut off (and so backed off to eight timeouts) but
     * holds the freshest log waited seconds after the heal before asking again, while its peers' logs could
     * not win (seen: 3 s without a leader after a majority was paused and resumed).
     */
    private void peerReachesUs(long now) {
        electionAnswered = true;
        if (unansweredElections > 0) {
            unansweredElections = 0;
            if (core.role() != Role.LEADER) {
                long backedOff = deadline;
                resetDeadline(now);
                deadline = Math.min(backedOff, deadline);
            }
        }
    }

    /** The election timer fired: first ask whether we could win, without raising our term. */
    void startPreVote(long now, Effects out) {
        unansweredElections = electionAnswered ? 0 : unansweredElections + 1;
        electionAnswered = false;
        core.becomePreCandidate(now);
        votes = new HashSet<>(Set.of(self));
        resetDeadline(now);
        if (votes.size() >= majority) {
            startElection(now, out);
            return;
        }
        PreVote request = new PreVote(core.term() + 1, log.lastIndex(), log.lastTerm());
        peers.forEach(peer -> out.send(peer, request));
    }

    /** An election proper without the pre-vote, the backoff forgotten (tests of the vote rules themselves). */
    void campaign(long now, Effects out) {
        unansweredElections = 0;
        startElection(now, out);
    }

    /**
     * Check quorum for voters (the thesis, section 9.6): a node that heard its leader within the minimum
     * election timeout, or that leads, ignores elections, so a node that was cut off and comes back with a
     * higher term does not depose a healthy leader. When the candidate is that leader itself, it no longer
     * leads (it stepped down, having lost its majority), and there is nobody to protect: refusing it only
     * delays the election, by a whole timeout, often of the node with the freshest log (seen after a paused
     * majority resumed and read the backlog of the leader's old appends: 3 s without a leader).
     */
    private boolean hearsLeaderOtherThan(String candidate, long now) {
        String leader = core.leader();
        return core.role() == Role.LEADER || (leader != null && !leader.equals(candidate)
                && now - leaderHeardAt < settings.electionTimeoutMin().toMillis());
    }

    void onPreVote(String candidate, PreVote request, long now, Effects out) {
        peerReachesUs(now); // a candidate reaches us
        long term = core.term();
        boolean grant = request.term() > term && log.isCoveredBy(request.lastIndex(), request.lastTerm()) && !hearsLeaderOtherThan(candidate, now);
        links.sendAllWays(candidate, new PreVoteResult(grant ? request.term() : term, grant), now, out);
    }

    void onPreVoteResult(String voter, PreVoteResult result, long now, Effects out) {
        peerReachesUs(now);
        if (!result.granted()) {
            core.observeTerm(result.term(), now, out); // a voter ahead of us: we follow its term, and could not have won
            return;
        }
        if (core.role() == Role.PRE_CANDIDATE && result.term() == core.term() + 1) {
            votes.add(voter);
            if (votes.size() >= majority) {
                startElection(now, out);
            }
        }
    }

    /** A majority would vote for us: the election proper, in a new term. */
    private void startElection(long now, Effects out) {
        core.becomeCandidate(now, out);
        votes = new HashSet<>(Set.of(self));
        resetDeadline(now);
        if (votes.size() >= majority) {
            core.becomeLeader(now, out);
            return;
        }
        RequestVote request = new RequestVote(core.term(), log.lastIndex(), log.lastTerm());
        peers.forEach(peer -> out.send(peer, request));
    }

    void onRequestVote(String candidate, RequestVote request, long now, Effects out) {
        peerReachesUs(now); // a candidate reaches us
        if (request.term() > core.term() && hearsLeaderOtherThan(candidate, now)) {
            return; // check quorum: our leader is alive
        }
        core.observeTerm(request.term(), now, out);
        long term = core.term();
        String votedFor = core.votedFor();
        boolean grant = request.term() == term && log.isCoveredBy(request.lastIndex(), request.lastTerm())
                && (votedFor == null || votedFor.equals(candidate));
        if (grant) {
            if (votedFor == null) {
                core.setTermAndVote(term, candidate, out); // synced before the vote leaves (persist before send)
            }
            resetDeadline(now);
        }
        // Elections are rare and a vote is what a partition with one-way links most often loses: all ways.
        links.sendAllWays(candidate, new Vote(term, grant), now, out);
    }

    void onVote(String voter, Vote vote, long now, Effects out) {
        peerReachesUs(now);
        core.observeTerm(vote.term(), now, out);
        if (core.role() == Role.CANDIDATE && vote.term() == core.term() && vote.granted()) {
            votes.add(voter);
            if (votes.size() >= majority) {
                core.becomeLeader(now, out);
            }
        }
    }
}
