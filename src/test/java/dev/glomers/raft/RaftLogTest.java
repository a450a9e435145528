package dev.glomers.raft;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The log's lookups, and the fast back-off hints of the paper's section 5.3 a leader and follower trade. */
class RaftLogTest {

    private static RaftLog<String> logOfTerms(long... terms) {
        RaftLog<String> log = new RaftLog<>();
        for (long term : terms) {
            log.append(new Entry<>(term, "n0", 0, "x"));
        }
        return log;
    }

    @Test
    void indexZeroIsTheEmptyPrefixOfTermZeroAndTruncationDropsASuffix() {
        RaftLog<String> log = logOfTerms(1, 1, 2, 3);
        assertThat(log.termAt(0)).isZero();
        assertThat(log.lastIndex()).isEqualTo(4);
        assertThat(log.lastTerm()).isEqualTo(3);
        log.truncateFrom(3);
        assertThat(log.lastIndex()).isEqualTo(2);
        assertThat(log.lastTerm()).isEqualTo(1);
        log.truncateFrom(9); // nothing there
        assertThat(log.lastIndex()).isEqualTo(2);
    }

    @Test
    void aCandidatesLogIsUpToDateByLastTermThenByLength() {
        RaftLog<String> log = logOfTerms(1, 2, 2);
        assertThat(log.isCoveredBy(1, 3)).as("a later last term wins even if shorter").isTrue();
        assertThat(log.isCoveredBy(3, 2)).isTrue();
        assertThat(log.isCoveredBy(2, 2)).as("same last term, shorter").isFalse();
        assertThat(log.isCoveredBy(9, 1)).as("an earlier last term loses even if longer").isFalse();
    }

    @Test
    void conflictHintsSkipAWholeTermPerRoundTrip() {
        RaftLog<String> follower = logOfTerms(1, 1, 2, 2, 2, 2);
        // The leader's append at prev 6 fails: the follower names term 2 and its first index of it.
        assertThat(follower.firstIndexOfTermAt(6)).isEqualTo(3);
        RaftLog<String> leaderWithTerm2 = logOfTerms(1, 1, 2, 3, 3, 3, 3);
        assertThat(leaderWithTerm2.nextAfterConflict(2, 3)).as("past the leader's own last entry of term 2").isEqualTo(4);
        RaftLog<String> leaderWithoutTerm2 = logOfTerms(1, 1, 3, 3, 3, 3, 3);
        assertThat(leaderWithoutTerm2.nextAfterConflict(2, 3)).as("the follower's first index of term 2").isEqualTo(3);
        assertThat(leaderWithoutTerm2.nextAfterConflict(0, 2)).as("a short follower log: its end").isEqualTo(2);
    }
}
