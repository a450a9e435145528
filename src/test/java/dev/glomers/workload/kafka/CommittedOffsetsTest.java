package dev.glomers.workload.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CommittedOffsetsTest {

    @Test
    void commitsOnlyMoveUp() {
        CommittedOffsets committed = new CommittedOffsets();
        committed.commit(Map.of("a", 5L, "b", 2L));
        committed.commit(Map.of("a", 3L, "b", 4L));
        assertThat(committed.merged()).containsOnly(Map.entry("a", 5L), Map.entry("b", 4L));
    }

    @Test
    void nothingToFlushUntilSomethingIsCommitted() {
        CommittedOffsets committed = new CommittedOffsets();
        assertThat(committed.needsFlush()).isFalse();
        committed.commit(Map.of("a", 1L));
        assertThat(committed.needsFlush()).as("the document is unknown").isTrue();
    }

    @Test
    void theDocumentAlreadyHoldingOurCommitsNeedsNoFlush() {
        CommittedOffsets committed = new CommittedOffsets();
        committed.commit(Map.of("a", 5L));
        committed.learned(Map.of("a", 7L, "b", 1L));
        assertThat(committed.needsFlush()).isFalse();
        assertThat(committed.merged()).containsOnly(Map.entry("a", 7L), Map.entry("b", 1L));
        committed.commit(Map.of("b", 2L));
        assertThat(committed.needsFlush()).isTrue();
        assertThat(committed.merged()).as("another node's higher offset is kept")
                .containsOnly(Map.entry("a", 7L), Map.entry("b", 2L));
    }

    @Test
    void aMissingDocumentIsKnownToBeMissing() {
        CommittedOffsets committed = new CommittedOffsets();
        committed.learned(null);
        assertThat(committed.knowsStored()).isTrue();
        assertThat(committed.storedExists()).isFalse();
        assertThat(committed.stored()).isEmpty();
        committed.learned(Map.of("a", 1L));
        assertThat(committed.storedExists()).isTrue();
    }

    @Test
    void afterAFailedWriteTheDocumentMustBeReadAgain() {
        CommittedOffsets committed = new CommittedOffsets();
        committed.learned(Map.of("a", 1L));
        committed.commit(Map.of("a", 2L));
        committed.forget();
        assertThat(committed.knowsStored()).isFalse();
        assertThat(committed.needsFlush()).isTrue();
        assertThat(committed.merged()).as("our commits survive a failed write").containsOnly(Map.entry("a", 2L));
    }
}
