package dev.glomers.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Message;
import dev.glomers.node.Wire;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A node that restarts (killed, then started again, from its data directory or empty) while the others keep
 * their leader must find that leader at once, not after the leader's next heartbeat to a follower it had
 * given up on (one per maximum election timeout, 1.8 s) or its own election timeout: its clients would get
 * error 11 until then (seen on the runner: 1.4-1.7 s). Whole lin-kv cores with the product's settings, in
 * virtual time.
 */
class RaftRejoinTest {

    /** Well under a heartbeat interval (300 ms) plus an election timeout: what "at once" allows. */
    private static final Duration SERVED_WITHIN = Duration.ofMillis(300);

    @ParameterizedTest(name = "{0} nodes, durable {1}, seed {2}")
    @CsvSource({"5, true, 1", "5, false, 2", "3, true, 3", "3, false, 4", "5, true, 5", "3, false, 6"})
    void aRestartedFollowerServesItsFirstOperationAtOnceAndTheLeaderStays(int nodes, boolean durable, long seed) {
        try (LinKvCluster cluster = new LinKvCluster(nodes, durable, seed)) {
            cluster.sim.runFor(Duration.ofSeconds(3));
            String leader = cluster.leader();
            long term = cluster.cores.get(leader).term();
            cluster.load(1);
            cluster.rejoins.clear();

            String follower = cluster.sim.nodeIds().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
            cluster.sim.crash(follower);
            cluster.sim.runFor(Duration.ofSeconds(1));
            cluster.load(2); // the restarted node has something to catch up on
            cluster.sim.runFor(Duration.ofSeconds(4));
            assertThat(cluster.rejoins).as("idle cost: nothing while no node starts").isEmpty();
            cluster.restart(follower);
            cluster.writeOk(follower, 7, 4, SERVED_WITHIN, true);
            cluster.reads(leader, 7, 4);

            assertThat(cluster.rejoins).as("one message per peer, once").hasSize(nodes - 1)
                    .allSatisfy(m -> assertThat(m.src()).isEqualTo(follower));
            assertThat(cluster.leader()).as("the leader stays").isEqualTo(leader);
            assertThat(cluster.cores.get(leader).term()).as("no election").isEqualTo(term);
            cluster.sim.runFor(Duration.ofSeconds(2));
            assertThat(cluster.leader()).isEqualTo(leader);
            assertThat(cluster.cores.get(leader).term()).isEqualTo(term);
        }
    }

    /** A leader that restarts: the others elect a new one meanwhile, and the old one rejoins it as a follower at once. */
    @ParameterizedTest(name = "{0} nodes, durable {1}, seed {2}")
    @CsvSource({"5, true, 11", "5, false, 12", "3, true, 13", "3, false, 14"})
    void aRestartedLeaderRejoinsTheNewLeaderAtOnce(int nodes, boolean durable, long seed) {
        try (LinKvCluster cluster = new LinKvCluster(nodes, durable, seed)) {
            cluster.sim.runFor(Duration.ofSeconds(3));
            String old = cluster.leader();
            cluster.load(1);
            cluster.sim.crash(old);
            cluster.sim.runFor(Duration.ofSeconds(5));
            String elected = cluster.leader();
            assertThat(elected).isNotEqualTo(old);
            long term = cluster.cores.get(elected).term();
            cluster.load(2);
            cluster.restart(old);
            cluster.writeOk(old, 7, 4, SERVED_WITHIN, true);
            cluster.reads(elected, 7, 4);
            cluster.sim.runFor(Duration.ofSeconds(2));
            assertThat(cluster.leader()).as("the new leader stays").isEqualTo(elected);
            assertThat(cluster.cores.get(elected).term()).as("no election").isEqualTo(term);
        }
    }

    /** The message changes no term and no vote anywhere; a node that does not lead answers nothing. */
    @Test
    void aRejoinIsAnsweredByTheLeaderAloneWithAnAppendAndChangesNoTerm() {
        RaftCoreTest.Cluster cluster = new RaftCoreTest.Cluster(3, 21);
        cluster.timeout("n0");
        cluster.deliverAll();
        assertThat(cluster.leader()).isEqualTo("n0");
        cluster.run(1_000);
        long term = cluster.core("n0").term();
        // n2 silent for over two heartbeat intervals, as a restarted node is (one heard just now and still knowing
        // no leader would be reached around too, see aFollowerThatAsksButDoesNotHearTheLeaderDirectlyIsReachedAround)
        cluster.isolated = Set.of("n2");
        cluster.run(130);
        cluster.isolated = Set.of();
        cluster.sent.clear();
        for (String to : List.of("n1", "n0")) {
            cluster.core(to).receive(new Message("n2", to, Wire.tree(new RaftMessages.Rejoin(0))), cluster.now, cluster.effects(to));
        }
        assertThat(cluster.sent).as("nothing before the leader's next tick").isEmpty();
        cluster.run(1);
        assertThat(cluster.sent).extracting(m -> m.src() + "->" + m.dest() + " " + m.type())
                .contains("n0->n2 append_entries").noneMatch(line -> line.startsWith("n1->n2"));
        assertThat(cluster.sent.stream().filter(m -> m.dest().equals("n2") && m.type().equals("append_entries")).findFirst().orElseThrow()
                .body().path("prev_index").asLong()).as("from where n2 says its log ends").isZero();
        for (String node : List.of("n0", "n1", "n2")) {
            assertThat(cluster.core(node).term()).as(node).isEqualTo(term);
        }
        assertThat(cluster.leader()).isEqualTo("n0");

        // A member's junk: a negative log end reads as 0, and the leader carries on.
        cluster.core("n0").receive(new Message("n2", "n0", (ObjectNode) Wire.JSON.valueToTree(
                Map.of("type", "rejoin", "last_index", -7))), cluster.now, cluster.effects("n0"));
        long write = cluster.client("n0", "after the junk");
        cluster.run(200);
        assertThat(cluster.answers.get(write).type()).isEqualTo("append_ok");
        assertThat(cluster.journals.get("n2").applied).endsWith("after the junk");
    }
}
