package dev.glomers.workload.counter;

import dev.glomers.node.Body;

/** The client API both counters answer: {@code add {delta}} and {@code read -> read_ok {value}}. */
final class CounterMessages {

    private CounterMessages() {
    }

    record Add(long delta) {
    }

    record ReadOk(long value) implements Body {
        @Override
        public String type() {
            return "read_ok";
        }
    }
}
