package dev.glomers.raft;

/**
 * The leader's own clients' share of the operations entering the log, a moving average over about the last 32
 * entries with an operation; it starts at 1. With three nodes it decides how the leader's own operations are
 * served: while its clients are most of the load the median client is one of them, so its entries are
 * acknowledged at once and its read rounds echoed at once (2 messages per operation), and spread over both
 * followers (they stand in for the heartbeats); otherwise they are a minority and ride on the traffic the
 * followers' clients make anyway, for no message of their own. The runner's lin-kv load sends most operations
 * to one node (n0: about 60 % at rate 30 in the runs measured), so which holds depends on whether it leads.
 * The leader and each follower keep their own, from the same log, so they agree.
 */
final class LeaderShare {

    private static final int SPAN = 32;
    /** Off in the frugal profile ({@link RaftProperties#promptLeaderAnswers}): the leader's operations always ride. */
    private final boolean prompt;
    private double share = 1.0;

    LeaderShare(boolean prompt) {
        this.prompt = prompt;
    }

    /** An entry with an operation entered the log: one of the leader's own clients' ({@code leaders}) or a follower's. */
    void taken(boolean leaders) {
        share += ((leaders ? 1 : 0) - share) / SPAN;
    }

    boolean leaderServesMost() {
        return prompt && share >= 0.5;
    }
}
