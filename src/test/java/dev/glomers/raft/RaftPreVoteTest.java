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
