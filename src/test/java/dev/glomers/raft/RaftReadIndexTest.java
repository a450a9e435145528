package dev.glomers.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.node.Message;
import dev.glomers.raft.RaftCoreTest.Cluster;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reads that do not write (ReadIndex), on the core alone: a read answers from the state machine after a
 * majority round confirmed the leader, with no log entry and nothing persisted; a leader that cannot reach a
 * majority never answers one; and a read whose client gave up leaves nothing behind. The journal's "read"
 * commands are read-only and answer how many commands were applied.
 */
class RaftReadIndexTest {

    private static Cluster elected(int nodes, long seed, boolean durable) {
        Cluster cluster = new Cluster(nodes, seed, durable);
        cluster.timeout("n0");
        cluster.run(100);
        assertThat(cluster.leader()).isEqualTo("n0");
        return cluster;
    }

    private static int applied(Cluster cluster, long answer) {
        Message reply = cluster.answers.get(answer);
        assertThat(reply).as("answer to %d", answer).isNotNull();
        assertThat(reply.type()).isEqualTo("append_ok");
        return reply.body().path("length").asInt();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 5})
    void aReadAfterAWriteSeesItAtEveryNodeWithoutALogEntry(int nodes) {
        Cluster cluster = elected(nodes, 31 + nodes, false);
        long write = cluster.client("n" + (nodes - 1), "a");
        cluster.run(200);
        assertThat(applied(cluster, write)).isEqualTo(1);
        int logBefore = cluster.core("n0").log().size();

        List<Long> reads = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            reads.add(cluster.client("n" + (i % nodes), "read" + i));
        }
        cluster.run(200);
        for (long read : reads) {
            assertThat(applied(cluster, read)).as("read %d", read).isEqualTo(1);
        }
        for (String node : cluster.ids) {
            assertThat(cluster.core(node).log()).as("%s's log", node).hasSize(logBefore);
            assertThat(cluster.journals.get(node).applied).as("%s applied", node).containsExactly("a");
            assertThat(cluster.core(node).readsHeld()).as("%s holds no read", node).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void readsPersistNothing(int nodes) {
        Cluster cluster = elected(nodes, 41 + nodes, true);
        long write = cluster.client("n1", "a");
        cluster.run(200);
        assertThat(applied(cluster, write)).isEqualTo(1);
        int[] records = cluster.ids.stream().mapToInt(id -> cluster.disks.get(id).synced.size()).toArray();
        List<Long> reads = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            reads.add(cluster.client("n" + (i % nodes), "read" + i));
        }
        cluster.run(200);
        reads.forEach(read -> assertThat(applied(cluster, read)).isEqualTo(1));
        assertThat(cluster.ids.stream().mapToInt(id -> cluster.disks.get(id).synced.size()).toArray()).isEqualTo(records);
    }

    /**
     * n0 leads, then is cut off with (with five nodes) one follower; the others elect a leader and write. n0
     * still believes it leads until check quorum deposes it: a read at n0, or at the follower cut off with
     * it, must never be answered with the old state, and once the clients gave up nothing is left of them.
     */
    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void aDeposedLeaderThatCannotReachAMajorityNeverAnswersARead(int nodes) {
        Cluster cluster = elected(nodes, 51 + nodes, false);
        long first = cluster.client("n1", "a");
        cluster.run(200);
        assertThat(applied(cluster, first)).isEqualTo(1);

        cluster.isolated = nodes == 3 ? Set.of("n0") : Set.of("n0", "n1");
        long atOldLeader = cluster.client("n0", "read-old-leader");
        long atItsFollower = nodes == 3 ? -1 : cluster.client("n1", "read-old-follower");
        cluster.run(600); // the majority's side elects a leader of its own
        Set<String> cutOff = cluster.isolated;
        String newSide = cluster.ids.stream().filter(id -> !cutOff.contains(id))
                .filter(id -> cluster.core(id).role() == RaftCore.Role.LEADER).findFirst().orElseThrow();
        long second = cluster.client(newSide, "b");
        cluster.run(100);
        assertThat(applied(cluster, second)).isEqualTo(2);

        cluster.run(2_000); // past check quorum and the client timeout
        for (long read : nodes == 3 ? List.of(atOldLeader) : List.of(atOldLeader, atItsFollower)) {
            Message reply = cluster.answers.get(read);
            if (reply != null) {
                assertThat(reply.type()).as("read %d answered only with an error", read).isEqualTo("error");
            }
        }
        for (String node : cluster.ids) {
            assertThat(cluster.core(node).readsHeld()).as("%s holds no read", node).isZero();
        }

        cluster.isolated = Set.of();
        cluster.run(1_000);
        long after = cluster.client("n0", "read-after-heal");
        cluster.run(300);
        assertThat(applied(cluster, after)).isEqualTo(2);
    }
}
