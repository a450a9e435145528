package dev.glomers.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.node.Message;
import dev.glomers.raft.RaftCoreTest.Cluster;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Snapshots and compaction (the paper's section 7): the log is truncated under a snapshot of the state
 * machine and the applied-request table; a follower the log no longer serves gets the snapshot in chunks
 * (InstallSnapshot), through lost and duplicated chunks; a restart recovers the snapshot and the entries
 * after it; the applied-request table stays bounded.
 */
class RaftSnapshotTest {

    /** A snapshot every 5 applied entries, sent 16 characters at a time: many snapshots, many chunks. */
    private static final RaftProperties SNAPSHOTTING = RaftCoreTest.SETTINGS.withSnapshots(5, 16);

    private static List<String> values(String prefix, int n) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(prefix + i);
        }
        return values;
    }

    private static Cluster elected(int nodes, long seed, boolean durable) {
        Cluster cluster = new Cluster(nodes, seed, durable, SNAPSHOTTING);
        cluster.timeout("n0");
        cluster.deliverAll();
        assertThat(cluster.leader()).isEqualTo("n0");
        return cluster;
    }

    /** Appends each value at the given nodes in turn, a few milliseconds apart, and lets them commit. */
    private static void write(Cluster cluster, List<String> values, String... at) {
        for (int i = 0; i < values.size(); i++) {
            cluster.client(at[i % at.length], values.get(i));
            cluster.run(3);
        }
        cluster.run(300);
    }

    @Test
    void theLogIsTruncatedUnderTheSnapshotAndEveryNodeAppliesTheSameHistory() {
        Cluster cluster = elected(3, 21, false);
        List<String> values = values("v", 23);
        write(cluster, values, "n0", "n1", "n2");
        for (String node : cluster.ids) {
            RaftCore<String, Integer> core = cluster.core(node);
            assertThat(core.logBase()).as("%s compacted", node).isPositive();
            assertThat(core.log().size()).as("%s keeps fewer entries than a snapshot interval", node).isLessThan(5);
            assertThat(core.logBase() + core.log().size()).as("%s log end", node).isEqualTo(cluster.core("n0").logBase() + cluster.core("n0").log().size());
            assertThat(cluster.journals.get(node).applied).as(node).containsExactlyElementsOf(values);
        }
    }

    @Test
    void aLaggingFollowerCatchesUpByInstallSnapshotThroughLostAndDuplicatedChunks() {
        Cluster cluster = elected(3, 22, false);
        write(cluster, values("a", 3), "n0");
        cluster.isolated = Set.of("n2");
        List<String> values = new ArrayList<>(values("a", 3));
        List<String> more = values("b", 30);
        values.addAll(more);
        write(cluster, more, "n0", "n1");
        long n2Behind = cluster.core("n2").commitIndex();
        assertThat(cluster.core("n0").logBase()).as("the leader compacted past n2's log").isGreaterThan(n2Behind + 1);

        // The first copy of every chunk of the transfer is lost, and every chunk that does arrive arrives twice.
        Set<Long> seenOffsets = new HashSet<>();
        cluster.lose = m -> m.type().equals("install_snapshot") && seenOffsets.add(m.body().path("offset").asLong());
        cluster.duplicate = m -> m.type().equals("install_snapshot") || m.type().equals("snapshot_ack");
        cluster.isolated = Set.of();
        cluster.run(5_000);

        assertThat(seenOffsets.size()).as("the snapshot went in several chunks").isGreaterThan(3);
        assertThat(cluster.sent).as("chunks were resent after the loss")
                .filteredOn(m -> m.type().equals("install_snapshot")).hasSizeGreaterThan(2 * seenOffsets.size() - 1);
        assertThat(cluster.journals.get("n2").applied).containsExactlyElementsOf(values);
        long after = cluster.client("n2", "after");
        cluster.run(300);
        assertThat(cluster.answers.get(after).type()).isEqualTo("append_ok");
        values.add("after");
        for (String node : cluster.ids) {
            assertThat(cluster.journals.get(node).applied).as(node).containsExactlyElementsOf(values);
        }
        cluster.assertOneLeaderPerTerm();
    }

    /**
     * The workbench's one-way links: the leader's direct way to a follower breaks while the follower is
     * behind its snapshot. The follower says it is unheard, and the chunks go around through the peer.
     */
    @Test
    void aFollowerTheLeaderReachesOnlyThroughAPeerGetsTheSnapshotAround() {
        Cluster cluster = elected(3, 26, false);
        List<String> values = new ArrayList<>(values("a", 2));
        write(cluster, values, "n0");
        // Cut off for less than an election timeout: n2 still knows its leader when the one-way link begins.
        cluster.isolated = Set.of("n2");
        for (String value : values("c", 30)) {
            cluster.client(value.hashCode() % 2 == 0 ? "n0" : "n1", value);
            values.add(value);
            cluster.run(3);
        }
        cluster.run(20);
        assertThat(cluster.core("n0").logBase()).isGreaterThan(cluster.core("n2").commitIndex() + 1);
        cluster.isolated = Set.of();
        cluster.lose = m -> m.src().equals("n0") && m.dest().equals("n2"); // n2 -> n0 still works
        cluster.sent.clear();
        long fromN2 = cluster.client("n2", "from-n2");
        values.add("from-n2");
        cluster.run(5_000);
        assertThat(cluster.sent).as("chunks passed on by n1")
                .anyMatch(m -> m.src().equals("n1") && m.dest().equals("n2") && m.body().toString().contains("install_snapshot"));
        assertThat(cluster.answers.get(fromN2).type()).isEqualTo("append_ok");
        for (String node : cluster.ids) {
            assertThat(cluster.journals.get(node).applied).as(node).containsExactlyElementsOf(values);
        }
        cluster.assertOneLeaderPerTerm();
    }

    /** The workbench's majorities ring on five nodes (n0 - n1 - n2 - n3 - n4 - n0): each node hears only its two neighbours. */
    private static boolean offTheFiveNodeRing(Message m) {
        int distance = Math.abs(Integer.parseInt(m.src().substring(1)) - Integer.parseInt(m.dest().substring(1)));
        return distance == 2 || distance == 3;
    }

    /**
     * A follower behind the leader's snapshot that the leader reaches in no way directly, and that reaches the
     * leader in no way directly either: n2, a non-neighbour of the leader n0 on a five-node majorities ring.
     * It never speaks to the leader, so it can never say it is unheard: the chunks go the ways appends take
     * to a follower heard in no way (around, through n1 and n3), and its acknowledgements come back around.
     */
    @Test
    void aFollowerOnAFiveNodeRingThatNeedsTheSnapshotGetsItThroughTheDetours() {
        Cluster cluster = elected(5, 27, false);
        List<String> values = new ArrayList<>(values("a", 2));
        write(cluster, values, "n0");
        cluster.isolated = Set.of("n2");
        List<String> more = values("r", 30);
        values.addAll(more);
        write(cluster, more, "n0", "n1", "n3", "n4");
        assertThat(cluster.core("n0").logBase()).as("the leader compacted past n2's log").isGreaterThan(cluster.core("n2").commitIndex() + 1);

        cluster.isolated = Set.of();
        cluster.lose = RaftSnapshotTest::offTheFiveNodeRing;
        cluster.sent.clear();
        // 16-character chunks one at a time around the ring: about 250 of them (request ids carry their node's
        // start epoch, as a durable node's always did), 3.5 s. Before the in-memory epoch, 180 chunks and 2.5 s.
        cluster.run(4_500);
        assertThat(cluster.sent).as("chunks passed on by n0's neighbours")
                .anyMatch(m -> (m.src().equals("n1") || m.src().equals("n3")) && m.dest().equals("n2")
                        && m.body().toString().contains("install_snapshot"));
        assertThat(cluster.journals.get("n2").applied).as("n2 installed the snapshot and applies after it").containsExactlyElementsOf(values);
        long fromN2 = cluster.client("n2", "from-n2");
        values.add("from-n2");
        cluster.run(2_000);
        assertThat(cluster.answers.get(fromN2)).as("n2's own operation, carried around to the leader").isNotNull();
        assertThat(cluster.answers.get(fromN2).type()).isEqualTo("append_ok");
        for (String node : cluster.ids) {
            assertThat(cluster.journals.get(node).applied).as(node).containsExactlyElementsOf(values);
        }
        assertThat(cluster.leader()).as("no election disturbed the ring").isEqualTo("n0");
        cluster.assertOneLeaderPerTerm();
    }

    @Test
    void aNewEmptyFollowerGetsTheSnapshotDurablyBeforeItAcknowledges() {
        Cluster cluster = new Cluster(3, 23, true, SNAPSHOTTING);
        cluster.isolated = Set.of("n2"); // n2 has heard nothing at all when it joins
        cluster.timeout("n0");
        cluster.deliverAll();
        assertThat(cluster.leader()).isEqualTo("n0");
        List<String> values = values("v", 20);
        write(cluster, values, "n0", "n1");
        assertThat(cluster.core("n2").log()).isEmpty();
        cluster.isolated = Set.of();
        cluster.autoSync = false;
        for (int i = 0; i < 2_000 && cluster.journals.get("n2").applied.size() < values.size(); i++) {
            cluster.run(1);
            boolean acknowledged = cluster.sent.stream().anyMatch(m -> m.src().equals("n2") && m.type().equals("snapshot_ack")
                    && m.body().path("done").asBoolean());
            if (acknowledged) {
                assertThat(cluster.disks.get("n2").syncedSnapshot).as("the snapshot is synced before n2 acknowledges it").isNotNull();
            }
            cluster.ids.forEach(cluster::sync);
        }
        cluster.autoSync = true;
        cluster.run(500);
        assertThat(cluster.journals.get("n2").applied).containsExactlyElementsOf(values);
        assertThat(cluster.disks.get("n2").syncedSnapshot).as("the installed snapshot is on n2's disk").isNotNull();
        cluster.crash("n2");
        cluster.restart("n2");
        assertThat(cluster.journals.get("n2").applied).as("recovered from n2's own snapshot").containsExactlyElementsOf(
                values.subList(0, (int) Math.min(values.size(), cluster.core("n2").commitIndex() - 1)));
    }

    @Test
    void aRestartRecoversTheSnapshotAndReplaysTheEntriesAfterIt() {
        Cluster cluster = elected(3, 24, true);
        List<String> values = values("v", 23);
        write(cluster, values, "n0", "n1", "n2");
        for (String node : cluster.ids) {
            RaftCoreTest.Disk disk = cluster.disks.get(node);
            assertThat(disk.syncedSnapshot).as("%s snapshotted", node).isNotNull();
            assertThat(disk.synced.size()).as("%s: the records before the snapshot are gone", node).isLessThan(12);
        }
        for (String node : cluster.ids) {
            cluster.crash(node);
        }
        for (String node : cluster.ids) {
            cluster.restart(node);
            RaftCore<String, Integer> core = cluster.core(node);
            assertThat(core.logBase()).as("%s starts from its snapshot", node).isPositive();
            assertThat(core.commitIndex()).isEqualTo(core.logBase());
            assertThat(cluster.journals.get(node).applied).as("%s: the snapshot's state", node)
                    .containsExactlyElementsOf(values.subList(0, cluster.journals.get(node).applied.size()))
                    .isNotEmpty();
        }
        cluster.run(3_000);
        long last = cluster.client("n1", "last");
        cluster.run(500);
        assertThat(cluster.answers.get(last).type()).isEqualTo("append_ok");
        values.add("last");
        for (String node : cluster.ids) {
            assertThat(cluster.journals.get(node).applied).as(node).containsExactlyElementsOf(values);
        }
        cluster.assertOneLeaderPerTerm();
    }

    @Test
    void theAppliedRequestTableStaysBoundedAndDuplicatesStillTakeEffectOnce() {
        Cluster cluster = elected(3, 25, false);
        // Every update a follower sends arrives twice: its operations are carried twice.
        cluster.duplicate = m -> m.type().equals("follower_update");
        List<String> values = values("v", 400);
        write(cluster, values, "n0", "n1", "n2");
        for (String node : cluster.ids) {
            assertThat(cluster.journals.get(node).applied).as(node).containsExactlyElementsOf(values);
            assertThat(cluster.core(node).appliedTableSize()).as("%s: ids kept, of 400 applied", node).isLessThanOrEqualTo(6);
            assertThat(cluster.core(node).log().size()).as("%s: entries kept", node).isLessThan(5);
        }
    }
}
