package dev.glomers.raft;

/**
 * What a leader knows of one follower (etcd's FollowerProgress): how far its log matches ours ({@code match}),
 * where the next append starts ({@code next}), and the message-economy facts: whether it must hear from
 * us soon, when we last sent and heard, and whether its direct link works.
 */
final class FollowerProgress {
    final String id;
    long next;
    long match;
    /** It must hear from us at {@link #urgentAt}: its own clients' entries, a repair, a new term, a commit it waits for. */
    boolean urgent;
    long urgentAt = Long.MAX_VALUE;
    long lastSentAt;
    long lastHeardAt;
    /** When a message of it last reached us directly, not passed on by a peer. */
    long lastHeardDirectlyAt;
    /** When we last tried the direct way to it while it said that way was broken, and how long until the next try. */
    long lastProbedAt;
    long probeWait;
    /** It says our appends do not reach it directly: they go through the other followers too. */
    boolean unheard;

    FollowerProgress(String id) {
        this.id = id;
    }

    void markUrgent(long now) {
        urgent = true;
        urgentAt = Math.min(urgentAt, now);
    }
}
