package dev.glomers.workload.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class KeyLogTest {

    private static JsonNode msg(int value) {
        return IntNode.valueOf(value);
    }

    private static KeyLog logOf(int count) {
        KeyLog log = new KeyLog();
        IntStream.range(0, count).forEach(i -> log.append(msg(100 + i)));
        return log;
    }

    @Test
    void offsetsStartAtZeroAndGoUpByOne() {
        KeyLog log = new KeyLog();
        assertThat(log.append(msg(7))).isZero();
        assertThat(log.append(msg(8))).isEqualTo(1);
        assertThat(log.append(msg(7))).as("the same message again is a new entry").isEqualTo(2);
        assertThat(log.length()).isEqualTo(3);
    }

    @Test
    void aWindowStartsAtTheRequestedOffsetAndHasNoGaps() {
        KeyLog log = logOf(10);
        assertThat(log.window(4, 100)).containsExactly(
                List.of(4L, msg(104)), List.of(5L, msg(105)), List.of(6L, msg(106)), List.of(7L, msg(107)),
                List.of(8L, msg(108)), List.of(9L, msg(109)));
    }

    @Test
    void aWindowIsBounded() {
        KeyLog log = logOf(10);
        assertThat(log.window(2, 3)).containsExactly(List.of(2L, msg(102)), List.of(3L, msg(103)), List.of(4L, msg(104)));
        assertThat(log.window(0, 0)).isEmpty();
    }

    @Test
    void aWindowAtOrPastTheEndIsEmptyAndANegativeStartReadsFromZero() {
        KeyLog log = logOf(3);
        assertThat(log.window(3, 10)).isEmpty();
        assertThat(log.window(50, 10)).isEmpty();
        assertThat(log.window(-5, 1)).containsExactly(List.of(0L, msg(100)));
    }

    @Test
    void aReplicaSkipsWhatItHasAndRefusesGaps() {
        KeyLog owner = logOf(6);
        KeyLog replica = new KeyLog();
        assertThat(replica.extend(0, List.of(msg(100), msg(101), msg(102)))).isEqualTo(3);
        assertThat(replica.extend(1, List.of(msg(101), msg(102), msg(103), msg(104)))).as("overlap from a redelivery").isEqualTo(5);
        assertThat(replica.extend(6, List.of(msg(999)))).as("a gap").isEqualTo(5);
        assertThat(replica.extend(5, List.of(msg(105)))).isEqualTo(6);
        assertThat(replica.window(0, 100)).isEqualTo(owner.window(0, 100));
    }
}
