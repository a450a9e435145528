package dev.glomers.cluster.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class QuantilesTest {

    @Test
    void takesTheElementAtFloorOfNTimesPLikeJepsen() {
        List<Long> hundred = LongStream.rangeClosed(1, 100).boxed().toList();
        assertThat(Quantiles.of(hundred)).containsEntry("0", 1L).containsEntry("0.5", 51L)
                .containsEntry("0.95", 96L).containsEntry("0.99", 100L).containsEntry("1", 100L);
        assertThat(Quantiles.of(List.of(5L, 1L, 3L))).containsEntry("0.5", 3L).containsEntry("1", 5L);
        assertThat(Quantiles.of(List.of())).isEmpty();
    }
}
