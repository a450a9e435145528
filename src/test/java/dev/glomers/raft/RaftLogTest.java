package dev.glomers.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The log's lookups, the fast back-off hints of the paper's section 5.3 a leader and follower trade, and the snapshot base. */
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

    @Test
    void compactionKeepsTheEntriesAfterTheBaseAndLookupsStopThere() {
        RaftLog<String> log = logOfTerms(1, 1, 2, 2, 3);
        log.compactTo(3, 2);
        assertThat(log.baseIndex()).isEqualTo(3);
        assertThat(log.lastIndex()).as("indexes do not move").isEqualTo(5);
        assertThat(log.entries()).extracting(Entry::term).containsExactly(2L, 3L);
        assertThat(log.termAt(3)).as("the base's term is still known").isEqualTo(2);
        assertThat(log.termAt(4)).isEqualTo(2);
        assertThat(log.entryAt(5).term()).isEqualTo(3);
        assertThatThrownBy(() -> log.entryAt(3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.slice(2, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.truncateFrom(3)).as("committed entries are never truncated").isInstanceOf(IllegalArgumentException.class);
        assertThat(log.slice(4, 5)).extracting(Entry::term).containsExactly(2L, 3L);
        log.truncateFrom(5);
        assertThat(log.lastIndex()).isEqualTo(4);
        log.compactTo(2, 1); // older than the base: nothing changes
        assertThat(log.baseIndex()).isEqualTo(3);
        log.append(new Entry<>(4, "n0", 0, "y"));
        assertThat(log.lastTerm()).isEqualTo(4);
        assertThat(log.isCoveredBy(5, 4)).isTrue();
        assertThat(log.isCoveredBy(4, 3)).isFalse();
    }

    @Test
    void aSnapshotTheLogDoesNotLeadUpToReplacesTheWholeLog() {
        RaftLog<String> follower = logOfTerms(1, 1, 2);
        follower.compactTo(5, 3); // a leader's snapshot past our end
        assertThat(follower.entries()).isEmpty();
        assertThat(follower.lastIndex()).isEqualTo(5);
        assertThat(follower.lastTerm()).isEqualTo(3);
        RaftLog<String> diverged = logOfTerms(1, 1, 2, 2);
        diverged.compactTo(3, 3); // our entry 3 is of another term: nothing of ours is known to follow it
        assertThat(diverged.entries()).isEmpty();
        assertThat(diverged.lastIndex()).isEqualTo(3);
        assertThat(diverged.termAt(3)).isEqualTo(3);
    }

    @Test
    void conflictHintsNeverReachUnderTheBaseAndALeaderWithoutTheTermSendsTheSnapshot() {
        RaftLog<String> follower = logOfTerms(1, 2, 2, 2, 2);
        follower.compactTo(3, 2);
        assertThat(follower.firstIndexOfTermAt(5)).as("the oldest entry it still holds").isEqualTo(4);
        RaftLog<String> leader = logOfTerms(1, 1, 1, 3, 3, 3);
        leader.compactTo(4, 3);
        assertThat(leader.nextAfterConflict(2, 2)).as("term 2 lies under its base: resend from the follower's hint, under the base")
                .isLessThanOrEqualTo(leader.baseIndex());
        assertThat(leader.nextAfterConflict(3, 5)).as("its own last entry of term 3").isEqualTo(7);
    }
}
