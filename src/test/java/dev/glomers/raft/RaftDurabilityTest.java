package dev.glomers.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.node.Message;
import dev.glomers.raft.RaftCoreTest.Cluster;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Persist before send, message by message: the paper's Figure 2 keeps currentTerm, votedFor and the log on
 * stable storage before a node answers. Each node has a disk that keeps only what was synced; a crash loses
 * the rest and every message that waited for it, and a restart rebuilds the core from the disk.
 */
class RaftDurabilityTest {

    private static List<Message> inFlight(Cluster cluster, String type, String from) {
        return cluster.inFlight.stream().filter(m -> m.type().equals(type) && m.src().equals(from)).toList();
    }

    @ParameterizedTest(name = "snapshot every {0}")
    @ValueSource(ints = {1_000_000, 3})
    void aVoteLeavesOnlyOnceTermAndVoteAreSyncedAndARestartedVoterDoesNotVoteTwiceInATerm(int snapshotEvery) {
        Cluster cluster = new Cluster(3, 11, true, RaftCoreTest.SETTINGS.withSnapshots(snapshotEvery, 16));
        cluster.autoSync = false;
        cluster.campaign("n0");
        cluster.sync("n0");
        cluster.deliver(m -> m.type().equals("request_vote") && m.dest().equals("n1"));
        assertThat(inFlight(cluster, "vote", "n1")).as("not before the sync").isEmpty();
        cluster.crash("n1");
        cluster.restart("n1");
        assertThat(cluster.core("n1").term()).as("the unsynced term is lost, and so was the vote").isZero();

        cluster.inFlight.clear();
        cluster.campaign("n0"); // term 2
        cluster.sync("n0");
        cluster.deliver(m -> m.type().equals("request_vote") && m.dest().equals("n1"));
        cluster.sync("n1");
        assertThat(inFlight(cluster, "vote", "n1")).anySatisfy(v -> assertThat(v.body().path("granted").asBoolean()).isTrue());
        cluster.crash("n1");
        cluster.restart("n1");
        assertThat(cluster.core("n1").term()).isEqualTo(2);
        // n2 asks n1 for a vote in the same term: n1 already gave it to n0, before and after its crash.
        cluster.inFlight.clear();
        cluster.core("n1").receive(new Message("n2", "n1", dev.glomers.node.Wire.tree(new RaftMessages.RequestVote(2, 5, 2))),
                cluster.now, cluster.effects("n1"));
        cluster.sync("n1");
        assertThat(inFlight(cluster, "vote", "n1")).isNotEmpty()
                .allSatisfy(v -> assertThat(v.body().path("granted").asBoolean()).isFalse());
    }

    @ParameterizedTest(name = "snapshot every {0}")
    @ValueSource(ints = {1_000_000, 3})
    void anAppendIsAcknowledgedOnlyOnceItsEntriesAreSyncedAndARestartedFollowerStillHoldsThem(int snapshotEvery) {
        Cluster cluster = new Cluster(3, 12, true, RaftCoreTest.SETTINGS.withSnapshots(snapshotEvery, 16));
        cluster.timeout("n0");
        cluster.deliverAll();
        assertThat(cluster.leader()).isEqualTo("n0");
        cluster.isolated = Set.of("n2");
        cluster.autoSync = false;
        long write = cluster.client("n0", "a");
        cluster.sync("n0");
        cluster.run(1); // the append goes out
        cluster.deliver(m -> m.type().equals("append_entries") && m.dest().equals("n1"));
        assertThat(inFlight(cluster, "follower_update", "n1")).as("no acknowledgement before the sync").isEmpty();
        cluster.sync("n1");
        cluster.autoSync = true;
        cluster.run(100);
        assertThat(cluster.answers.get(write).type()).isEqualTo("append_ok");
        cluster.crash("n1");
        cluster.restart("n1");
        assertThat(cluster.terms("n1")).containsExactly("1:null", "1:a");
        assertThat(cluster.core("n1").commitIndex()).as("commit is learned again, not persisted").isZero();
        cluster.run(500);
        assertThat(cluster.journals.get("n1").applied).containsExactly("a");
    }

    /** The Knossos failure: two of three nodes killed and restarted empty elected a leader without a committed write. */
    @ParameterizedTest(name = "snapshot every {0}")
    @ValueSource(ints = {1_000_000, 3})
    void aMajorityKilledAndRestartedKeepsEveryAcknowledgedWrite(int snapshotEvery) {
        Cluster cluster = new Cluster(3, 13, true, RaftCoreTest.SETTINGS.withSnapshots(snapshotEvery, 16));
        cluster.timeout("n0");
        cluster.deliverAll();
        cluster.isolated = Set.of("n2");
        long write = cluster.client("n0", "acknowledged");
        cluster.run(100);
        assertThat(cluster.answers.get(write).type()).isEqualTo("append_ok");
        cluster.crash("n0");
        cluster.crash("n1");
        cluster.isolated = Set.of();
        cluster.restart("n0");
        cluster.restart("n1");
        // n2 lacks the write: it campaigns first, and n1 (its log restored) refuses it.
        cluster.timeout("n2");
        cluster.deliverAll();
        assertThat(cluster.leader()).isNotEqualTo("n2");
        cluster.run(3_000);
        String leader = cluster.leader();
        assertThat(leader).isIn("n0", "n1");
        long after = cluster.client("n2", "after");
        cluster.run(500);
        assertThat(cluster.answers.get(after).type()).isEqualTo("append_ok");
        for (String node : List.of("n0", "n1", "n2")) {
            assertThat(cluster.journals.get(node).applied).as(node).containsExactly("acknowledged", "after");
        }
        cluster.assertOneLeaderPerTerm();
    }

    /** Request ids restart with a node; without an epoch a new operation looked like one applied before the crash. */
    @ParameterizedTest(name = "snapshot every {0}")
    @ValueSource(ints = {1_000_000, 3})
    void aRestartedNodesNewOperationsAreNotMistakenForItsOldOnes(int snapshotEvery) {
        Cluster cluster = new Cluster(3, 14, true, RaftCoreTest.SETTINGS.withSnapshots(snapshotEvery, 16));
        cluster.timeout("n0");
        cluster.deliverAll();
        long before = cluster.client("n1", "before");
        cluster.run(200);
        assertThat(cluster.answers.get(before).type()).isEqualTo("append_ok");
        cluster.crash("n1");
        cluster.restart("n1");
        cluster.run(500);
        long after = cluster.client("n1", "after");
        cluster.run(500);
        assertThat(cluster.answers.get(after).type()).isEqualTo("append_ok");
        assertThat(cluster.journals.get("n0").applied).containsExactly("before", "after");
    }

    @ParameterizedTest(name = "snapshot every {0}")
    @ValueSource(ints = {1_000_000, 3})
    void everyNodeRestartedAtOnceComesBackWithItsLogAndServes(int snapshotEvery) {
        Cluster cluster = new Cluster(3, 15, true, RaftCoreTest.SETTINGS.withSnapshots(snapshotEvery, 16));
        cluster.timeout("n0");
        cluster.deliverAll();
        for (int i = 0; i < 5; i++) {
            cluster.client("n" + (i % 3), "v" + i);
        }
        cluster.run(300);
        for (String node : List.of("n0", "n1", "n2")) {
            cluster.crash(node);
        }
        for (String node : List.of("n0", "n1", "n2")) {
            cluster.restart(node);
        }
        cluster.run(3_000);
        long last = cluster.client("n2", "last");
        cluster.run(500);
        assertThat(cluster.answers.get(last).type()).isEqualTo("append_ok");
        List<String> applied = cluster.journals.get("n0").applied;
        assertThat(applied).containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4", "last").endsWith("last");
        for (String node : List.of("n1", "n2")) {
            assertThat(cluster.journals.get(node).applied).as(node).isEqualTo(applied);
        }
        cluster.assertOneLeaderPerTerm();
    }
}
