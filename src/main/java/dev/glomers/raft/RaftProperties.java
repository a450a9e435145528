package dev.glomers.raft;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code glomers.raft} block of application.yml (under the profiles of the workloads that run on
 * Raft): election and heartbeat timing, batching windows, and how long a client is kept waiting.
 *
 * @param electionTimeoutMin a follower that heard no leader for a random time between these two starts an election
 * @param electionTimeoutMax see {@code electionTimeoutMin}; the spread makes split votes rare
 * @param heartbeatInterval  a leader sends every follower something at least this often (an empty append when idle)
 * @param appendWindow       a leader collects new entries this long before sending them to followers (0: at once)
 * @param forwardWindow      a follower collects its clients' operations this long before carrying them to the leader (0: at once)
 * @param ringWindow         both windows while this node's messages go around a one-way link (the larger of the two is used):
 *                           every round trip then takes three messages, worth sharing between operations
 * @param ackDelay           how long a follower may hold an acknowledgement nobody waits for, hoping to piggyback it
 * @param clientTimeout      a client operation not applied by then is answered with error 0 (indefinite)
 * @param maxEntriesPerAppend most entries in one append (a lagging follower catches up in several)
 * @param snapshotEvery      applied entries between snapshots: the log keeps about this many entries at most
 * @param snapshotChunkSize  characters of a snapshot per InstallSnapshot message
 * @param promptLeaderAnswers with three nodes, while the leader's own clients are most of the load, followers
 *                           acknowledge its entries and echo its read rounds at once (for latency; see LeaderShare);
 *                           false keeps those riding on the followers' own traffic (for messages: the frugal profile)
 * @param ringLapGap         while messages go around a three-node ring, the least time between two laps (0: no laps,
 *                           {@code ringWindow} applies there too): a node starts a lap for what waits at once unless one
 *                           passed it within this gap, and passes every lap on at once (see Links.lapping)
 */
@ConfigurationProperties("glomers.raft")
public record RaftProperties(
        Duration electionTimeoutMin,
        Duration electionTimeoutMax,
        Duration heartbeatInterval,
        Duration appendWindow,
        Duration forwardWindow,
        Duration ringWindow,
        Duration ackDelay,
        Duration clientTimeout,
        int maxEntriesPerAppend,
        int snapshotEvery,
        int snapshotChunkSize,
        boolean promptLeaderAnswers,
        Duration ringLapGap) {

    public RaftProperties {
        require("election-timeout-min", electionTimeoutMin);
        require("election-timeout-max", electionTimeoutMax);
        require("heartbeat-interval", heartbeatInterval);
        require("append-window", appendWindow);
        require("forward-window", forwardWindow);
        require("ring-window", ringWindow);
        require("ack-delay", ackDelay);
        require("ring-lap-gap", ringLapGap);
        require("client-timeout", clientTimeout);
        if (electionTimeoutMax.compareTo(electionTimeoutMin) <= 0) {
            throw new IllegalArgumentException("glomers.raft.election-timeout-max must exceed election-timeout-min");
        }
        if (heartbeatInterval.isZero() || heartbeatInterval.multipliedBy(2).compareTo(electionTimeoutMin) > 0) {
            throw new IllegalArgumentException(
                    "glomers.raft.heartbeat-interval must be positive and at most half of election-timeout-min, or followers elect while a leader lives");
        }
        if (ackDelay.compareTo(heartbeatInterval) >= 0) {
            throw new IllegalArgumentException("glomers.raft.ack-delay must be shorter than heartbeat-interval");
        }
        if (clientTimeout.isZero()) {
            throw new IllegalArgumentException("glomers.raft.client-timeout must be positive");
        }
        if (maxEntriesPerAppend < 1) {
            throw new IllegalArgumentException("glomers.raft.max-entries-per-append must be at least 1");
        }
        if (snapshotEvery < 1) {
            throw new IllegalArgumentException("glomers.raft.snapshot-every must be set in application.yml and at least 1");
        }
        if (snapshotChunkSize < 1) {
            throw new IllegalArgumentException("glomers.raft.snapshot-chunk-size must be set in application.yml and at least 1");
        }
    }

    /** The same settings with another snapshot interval and chunk size (tests that snapshot all the time). */
    public RaftProperties withSnapshots(int every, int chunkSize) {
        return new RaftProperties(electionTimeoutMin, electionTimeoutMax, heartbeatInterval, appendWindow, forwardWindow,
                ringWindow, ackDelay, clientTimeout, maxEntriesPerAppend, every, chunkSize, promptLeaderAnswers, ringLapGap);
    }

    private static void require(String name, Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException("glomers.raft." + name + " must be set in application.yml and not negative");
        }
    }
}
