package dev.glomers.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.raft.RaftCoreTest.Cluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With three nodes and the default profile's windows, every client is answered about a window after it asked,
 * whichever node it asked, and for about two messages when it is alone: the leader's own clients included
 * while they are most of the load (LeaderShare). Before, a follower always held its acknowledgement of the
 * leader's entries, and its echo of the leader's read round, for an update that went anyway (up to
 * {@code ack-delay}); the runner's lin-kv load sends most operations to n0, so the median client waited that
 * long whenever n0 led. While a follower's clients are most of the load, the leader's ride along for nothing.
 */
class RaftPromptAnswersTest {

    /** The default profile's timing (application.yml): 10 ms windows (40 ms on a five-node ring, laps 25 ms apart on a three-node one), acknowledgements held up to 250 ms. */
    static final RaftProperties DEFAULT = new RaftProperties(Duration.ofMillis(900), Duration.ofMillis(1800),
            Duration.ofMillis(300), Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofMillis(250),
            Duration.ofMillis(900), 500, 5000, 65536, true, Duration.ofMillis(120));

    private static Cluster quietLeaderN0() {
        Cluster cluster = new Cluster(3, 7, false, DEFAULT);
        cluster.timeout("n0");
        cluster.run(1000);
        assertThat(cluster.leader()).isEqualTo("n0");
        return cluster;
    }

    /** Milliseconds until the answer to {@code id} (at most 1 s). */
    private static long answeredAfter(Cluster cluster, long id) {
        long start = cluster.now;
        while (!cluster.answers.containsKey(id) && cluster.now - start < 1000) {
            cluster.run(1);
        }
        assertThat(cluster.answers).containsKey(id);
        return cluster.now - start;
    }

    /** Server messages sent from now until the answer to {@code id}, and a few ms after (a late acknowledgement counts). */
    private static int messagesFor(Cluster cluster, long id) {
        int before = cluster.sent.size();
        answeredAfter(cluster, id);
        return cluster.sent.size() - before;
    }

    @Test
    void theLeadersOwnWriteIsAnsweredWithinTwoWindowsForTwoMessages() {
        Cluster cluster = quietLeaderN0();
        cluster.run(3); // not at a window's end
        int before = cluster.sent.size();
        long write = cluster.client("n0", "a");
        assertThat(answeredAfter(cluster, write)).isLessThanOrEqualTo(20);
        assertThat(cluster.answers.get(write).type()).isEqualTo("append_ok");
        assertThat(cluster.sent.size() - before).as("an append to one follower and its acknowledgement").isEqualTo(2);
    }

    @Test
    void theLeadersOwnReadIsAnsweredWithinTwoWindowsForTwoMessages() {
        Cluster cluster = quietLeaderN0();
        long write = cluster.client("n1", "a");
        answeredAfter(cluster, write);
        cluster.run(100);
        cluster.run(3);
        long read = cluster.client("n0", "read");
        assertThat(messagesFor(cluster, read)).as("a round to one follower and its echo").isEqualTo(2);
        assertThat(cluster.answers.get(read).body().path("length").asInt()).isEqualTo(1);
    }

    @Test
    void theLeadersOwnReadIsAnsweredWithinTwoWindows() {
        Cluster cluster = quietLeaderN0();
        cluster.run(3);
        long read = cluster.client("n0", "read");
        assertThat(answeredAfter(cluster, read)).isLessThanOrEqualTo(20);
    }

    @Test
    void aFollowersWriteAndReadAreAnsweredWithinAWindowForTwoMessagesEach() {
        Cluster cluster = quietLeaderN0();
        cluster.run(3);
        long write = cluster.client("n2", "a");
        assertThat(answeredAfter(cluster, write)).isLessThanOrEqualTo(10);
        cluster.run(100);
        cluster.run(3);
        int before = cluster.sent.size();
        long read = cluster.client("n1", "read");
        assertThat(answeredAfter(cluster, read)).isLessThanOrEqualTo(10);
        assertThat(cluster.sent.size() - before).isEqualTo(2);
        assertThat(cluster.answers.get(read).body().path("length").asInt()).isEqualTo(1);
    }

    /**
     * Only the leader's clients, one write every 37 ms for 6 s: every write goes to one follower and comes back
     * acknowledged, the two followers taking turns, so neither needs a heartbeat (before, the most recently
     * heard follower got them all, and the other a heartbeat with the entries it lacked every 300 ms, which it
     * answered: 360 messages for 160 writes instead of 320).
     */
    @Test
    void theLeadersOwnEntriesKeepBothFollowersBusySoNoHeartbeatIsNeeded() {
        Cluster cluster = quietLeaderN0();
        int before = cluster.sent.size();
        int writes = 0;
        for (; writes < 160; writes++) {
            cluster.client("n0", "w" + writes);
            cluster.run(37);
        }
        cluster.run(20);
        var sent = cluster.sent.subList(before, cluster.sent.size());
        assertThat(sent).as("an append and its acknowledgement per write, nothing else").hasSize(2 * writes);
        assertThat(sent.stream().filter(m -> m.dest().equals("n1")).count()).isEqualTo(writes / 2);
    }

    /**
     * Most of the load at a follower (n1 writes every 20 ms), a leader's write now and then (every 200 ms): the
     * median client is n1's, so the leader's writes cost no message of their own: their entries ride on the
     * answers to n1's updates and n1's acknowledgement on its next update. Answered at once, each cost about
     * one more (an acknowledgement of its own; 420 messages between n0 and n1 instead of 400).
     */
    @Test
    void whileAFollowersClientsAreMostOfTheLoadTheLeadersRideAlongForNothing() {
        Cluster cluster = quietLeaderN0();
        for (int t = 0; t < 1000; t += 20) {
            cluster.client("n1", "warm-up " + t); // the followers learn who carries the load
            cluster.run(20);
        }
        int before = cluster.sent.size();
        List<Long> leaders = new ArrayList<>();
        int followers = 0;
        for (int t = 0; t < 4000; t += 20, followers++) {
            cluster.client("n1", "f" + t);
            if (t % 200 == 100) {
                leaders.add(cluster.client("n0", "l" + t));
            }
            cluster.run(20);
        }
        cluster.run(300);
        // n2 gets only its heartbeats, and answers them: not the writes' doing.
        long sent = cluster.sent.subList(before, cluster.sent.size()).stream()
                .filter(m -> !m.src().equals("n2") && !m.dest().equals("n2")).count();
        assertThat(leaders).allSatisfy(id -> assertThat(cluster.answers.get(id).type()).isEqualTo("append_ok"));
        assertThat(sent).isLessThanOrEqualTo(2 * followers + leaders.size() / 2);
    }
}
