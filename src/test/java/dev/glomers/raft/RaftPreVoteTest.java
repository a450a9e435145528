package dev.glomers.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.node.Message;
import dev.glomers.node.Wire;
import dev.glomers.raft.RaftCoreTest.Cluster;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Pre-vote and check quorum (the thesis, section 9.6): a node that cannot win never disrupts a healthy leader. */
class RaftPreVoteTest {

    @Test
    void aNodeCutOffForLongDoesNotRaiseItsTermAndRejoinsWithoutAnElection() {
        Cluster cluster = new Cluster(3, 21);
        cluster.timeout("n0");
        cluster.deliverAll();
        assertThat(cluster.leader()).isEqualTo("n0");
        long term = cluster.core("n0").term();
        cluster.isolated = Set.of("n2");
        int sentBefore = cluster.sent.size();
        cluster.run(5_000); // many election timeouts of n2
        assertThat(cluster.core("n2").term()).isEqualTo(term);
        assertThat(cluster.sent.subList(sentBefore, cluster.sent.size()))
                .anyMatch(m -> m.type().equals("pre_vote")).noneMatch(m -> m.type().equals("request_vote"));
        cluster.isolated = Set.of();
        cluster.run(1_000);
        assertThat(cluster.leader()).isEqualTo("n0");
        assertThat(cluster.core("n0").term()).isEqualTo(term);
        assertThat(cluster.core("n2").leader()).isEqualTo("n0");
        long write = cluster.client("n2", "after the heal");
        cluster.run(200);
        assertThat(cluster.answers.get(write).type()).isEqualTo("append_ok");
    }

    /**
     * A node cut off for long backs off to eight election timeouts; once anyone answers it is reachable
     * again, and waiting out the rest of eight timeouts only delays the cluster's next election.
     */
    @Test
    void aNodeThatBackedOffWhileUnheardAsksAgainWithinATimeoutOnceAnyoneAnswers() {
        Cluster cluster = new Cluster(3, 24);
        cluster.isolated = Set.of("n2");
        cluster.run(5_000); // n2's pre-votes go unanswered: its timer backs off
        int seen = cluster.sent.size();
        for (int ms = 0; ms < 5_000 && cluster.sent.subList(seen, cluster.sent.size()).stream()
                .noneMatch(m -> m.src().equals("n2") && m.type().equals("pre_vote")); ms++) {
            cluster.run(1);
        }
        assertThat(cluster.sent.subList(seen, cluster.sent.size()))
                .anyMatch(m -> m.src().equals("n2") && m.type().equals("pre_vote"));
        RaftCore<String, Integer> n2 = cluster.core("n2");
        n2.receive(new Message("n0", "n2", Wire.tree(new RaftMessages.PreVoteResult(n2.term(), false))),
                cluster.now, cluster.effects("n2"));

        int answered = cluster.sent.size();
        cluster.run(300); // the maximum election timeout, not eight of them
        assertThat(cluster.sent.subList(answered, cluster.sent.size()))
                .anyMatch(m -> m.src().equals("n2") && m.type().equals("pre_vote"));
    }

    /**
     * Found by LinKvCrashTest (seed 56 once the read index came in): a leader lost its majority to a pause
     * and stepped down; the resumed majority read the backlog of its old appends and so "heard" it, and
     * refused its pre-vote, though it had the freshest log and nobody else led: 3 s without a leader. A
     * voter's own leader asking for a new term no longer leads; only another candidate is refused.
     */
    @Test
    void aVoterGrantsItsOwnLeaderANewTermButStillRefusesOthersWhileItHearsThatLeader() {
        Cluster cluster = new Cluster(3, 25);
        cluster.timeout("n0");
        cluster.deliverAll();
        assertThat(cluster.leader()).isEqualTo("n0");
        cluster.run(20); // its no-op reaches n1
        long term = cluster.core("n1").term();
        RaftCore<String, Integer> n1 = cluster.core("n1");
        assertThat(n1.leader()).isEqualTo("n0");
        cluster.inFlight.clear();

        n1.receive(new Message("n2", "n1", Wire.tree(new RaftMessages.PreVote(term + 1, 99, term))), cluster.now, cluster.effects("n1"));
        n1.receive(new Message("n0", "n1", Wire.tree(new RaftMessages.PreVote(term + 1, 99, term))), cluster.now, cluster.effects("n1"));
        assertThat(cluster.inFlight).filteredOn(m -> m.type().equals("pre_vote_result") && m.dest().equals("n2"))
                .allSatisfy(m -> assertThat(m.body().path("granted").asBoolean()).as("n1 hears n0").isFalse()).isNotEmpty();
        assertThat(cluster.inFlight).filteredOn(m -> m.type().equals("pre_vote_result") && m.dest().equals("n0"))
                .allSatisfy(m -> assertThat(m.body().path("granted").asBoolean()).as("n0 asks itself").isTrue()).isNotEmpty();
        assertThat(n1.term()).isEqualTo(term);

        cluster.inFlight.clear();
        n1.receive(new Message("n0", "n1", Wire.tree(new RaftMessages.RequestVote(term + 1, 99, term))), cluster.now, cluster.effects("n1"));
        assertThat(n1.term()).isEqualTo(term + 1);
        assertThat(cluster.inFlight).filteredOn(m -> m.type().equals("vote") && m.dest().equals("n0"))
                .allSatisfy(m -> assertThat(m.body().path("granted").asBoolean()).isTrue()).isNotEmpty();
    }

    @Test
    void aVoterThatHearsItsLeaderIgnoresAVoteRequestOfAHigherTerm() {
        Cluster cluster = new Cluster(3, 22);
        cluster.timeout("n0");
        cluster.deliverAll();
        cluster.run(50);
        long term = cluster.core("n1").term();
        cluster.inFlight.clear();
        cluster.core("n1").receive(new Message("n2", "n1", Wire.tree(new RaftMessages.RequestVote(term + 5, 99, term))),
                cluster.now, cluster.effects("n1"));
        assertThat(cluster.core("n1").term()).isEqualTo(term);
        assertThat(cluster.inFlight).isEmpty();
        // Once it has not heard its leader for the minimum election timeout, it takes elections again.
        cluster.isolated = Set.of("n0");
        cluster.now += 200;
        cluster.core("n1").receive(new Message("n2", "n1", Wire.tree(new RaftMessages.RequestVote(term + 5, 99, term))),
                cluster.now, cluster.effects("n1"));
        assertThat(cluster.core("n1").term()).isEqualTo(term + 5);
    }

    @Test
    void aPreVoteChangesNoTermAndIsRefusedToAStaleLogOrWhileALeaderIsHeard() {
        Cluster cluster = new Cluster(3, 23);
        RaftCore<String, Integer> n1 = cluster.core("n1");
        n1.receive(new Message("n2", "n1", Wire.tree(new RaftMessages.PreVote(1, 0, 0))), cluster.now, cluster.effects("n1"));
        assertThat(n1.term()).isZero();
        assertThat(cluster.inFlight).filteredOn(m -> m.type().equals("pre_vote_result") && m.dest().equals("n2"))
                .allSatisfy(m -> assertThat(m.body().path("granted").asBoolean()).isTrue()).isNotEmpty();
        cluster.inFlight.clear();

        cluster.timeout("n0"); // a real election through the pre-vote: n0 leads term 1
        cluster.deliverAll();
        assertThat(cluster.leader()).isEqualTo("n0");
        cluster.run(20); // its no-op reaches n1
        cluster.inFlight.clear();
        n1.receive(new Message("n2", "n1", Wire.tree(new RaftMessages.PreVote(2, 99, 1))), cluster.now, cluster.effects("n1"));
        assertThat(cluster.inFlight).filteredOn(m -> m.type().equals("pre_vote_result") && m.dest().equals("n2"))
                .allSatisfy(m -> assertThat(m.body().path("granted").asBoolean()).as("n1 hears n0").isFalse()).isNotEmpty();
        cluster.inFlight.clear();
        cluster.now += 1_000;
        n1.receive(new Message("n2", "n1", Wire.tree(new RaftMessages.PreVote(2, 0, 0))), cluster.now, cluster.effects("n1"));
        assertThat(cluster.inFlight).filteredOn(m -> m.type().equals("pre_vote_result") && m.dest().equals("n2"))
                .allSatisfy(m -> assertThat(m.body().path("granted").asBoolean()).as("n2's log lacks n0's no-op").isFalse()).isNotEmpty();
        assertThat(n1.term()).isEqualTo(1);
    }
}
