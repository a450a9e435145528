package dev.glomers.workload.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeqLogTest {

    @Test
    void numbersEntriesFromOneAndSlicesAfterASeq() {
        SeqLog log = new SeqLog();
        assertThat(log.append(10)).isEqualTo(1);
        assertThat(log.append(11)).isEqualTo(2);
        assertThat(log.append(12)).isEqualTo(3);
        assertThat(log.after(0)).containsExactly(10L, 11L, 12L);
        assertThat(log.after(2)).containsExactly(12L);
        assertThat(log.after(3)).isEmpty();
    }

    @Test
    void dropsAnAcknowledgedPrefixAndKeepsNumbering() {
        SeqLog log = new SeqLog();
        for (long value = 1; value <= 5; value++) {
            log.append(value * 100);
        }
        log.dropThrough(3);
        assertThat(log.size()).isEqualTo(2);
        assertThat(log.first()).isEqualTo(4);
        assertThat(log.after(0)).containsExactly(400L, 500L);
        assertThat(log.after(4)).containsExactly(500L);
        assertThat(log.append(600)).isEqualTo(6);
        log.dropThrough(6);
        assertThat(log.size()).isZero();
        assertThat(log.first()).isEqualTo(7);
        assertThat(log.after(2)).isEmpty();
    }
}
