package dev.glomers.workload.counter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OwnSlotTest {

    @Test
    void batchStampsAreNeverReusedSoEveryWrittenValueIsDistinct() {
        OwnSlot own = new OwnSlot();
        own.written(Slot.ABSENT);
        long first = own.nextBatch();
        Slot a = own.target(0, first);
        own.written(a);
        Slot b = own.target(0, own.nextBatch());
        assertThat(b).isNotEqualTo(a);
        assertThat(b.count()).isEqualTo(a.count());
        assertThat(first).isPositive();
        assertThat(Slot.ABSENT.absent()).isTrue();
        assertThat(a.absent()).isFalse();
    }

    @Test
    void aReadThatShowsTheBatchStampMeansItLandedAndNothingIsWrittenAgain() {
        OwnSlot own = new OwnSlot();
        own.written(new Slot(10, 3));
        long batch = own.nextBatch();
        Slot target = own.target(5, batch);
        own.forget();
        assertThat(own.resolve(target, batch)).isEqualTo(OwnSlot.Outcome.LANDED);
        assertThat(own.known()).isEqualTo(new Slot(15, batch));
    }

    @Test
    void whenTheBatchDidNotLandTheNextAttemptBuildsOnWhatWasReadIncludingAnEarlierBatchThatLandedLate() {
        OwnSlot own = new OwnSlot();
        own.written(new Slot(10, 3));
        long lost = own.nextBatch();
        Slot lostTarget = own.target(4, lost);
        own.forget();                                   // batch 4 gave up in doubt ...
        long next = own.nextBatch();
        assertThat(own.resolve(new Slot(10, 3), next)).isEqualTo(OwnSlot.Outcome.NOT_LANDED);
        assertThat(own.target(2, next)).isEqualTo(new Slot(12, next));
        // ... then landed after all, before our compare-and-set: we must build on it, not overwrite it.
        assertThat(own.resolve(lostTarget, next)).isEqualTo(OwnSlot.Outcome.NOT_LANDED);
        assertThat(own.target(2, next)).isEqualTo(new Slot(16, next));
    }

    @Test
    void writingOnTopOfAnUnknownValueIsRefused() {
        OwnSlot own = new OwnSlot();
        assertThatThrownBy(() -> own.target(1, own.nextBatch())).isInstanceOf(IllegalStateException.class);
    }
}
