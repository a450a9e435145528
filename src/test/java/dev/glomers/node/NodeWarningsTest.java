package dev.glomers.node;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.glomers.sim.Simulation;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A flood of bad input never becomes a flood on stderr: a few warnings in full, then a count per second. */
class NodeWarningsTest {

    private final Logger nodeLog = (Logger) LoggerFactory.getLogger(Node.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void capture() {
        logged.start();
        nodeLog.addAppender(logged);
    }

    @AfterEach
    void release() {
        nodeLog.detachAppender(logged);
    }

    private List<String> warnings() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void requestsThatCannotBeAnsweredAreCountedNotLoggedOneByOne() {
        try (Simulation sim = Simulation.startWired(1, 1, node -> { })) {
            for (int i = 0; i < 10_000; i++) {
                // no msg_id and a type nobody handles: the error cannot be sent back
                sim.node("n0").receive("{\"src\":\"c9\",\"dest\":\"n0\",\"body\":{\"type\":\"nonsense\"}}");
                sim.node("n0").receive("not json");
            }
            sim.runFor(Duration.ofSeconds(5));
            List<String> warnings = warnings();
            assertThat(warnings.stream().filter(w -> w.startsWith("cannot answer nonsense"))).hasSize(5);
            assertThat(warnings.stream().filter(w -> w.startsWith("ignored a line that is not a message"))).hasSize(5);
            assertThat(warnings).contains("ignored 9,995 more requests that could not be answered (no msg_id)",
                    "ignored 9,995 more lines that are not messages");
            assertThat(warnings).hasSize(12);
        }
    }
}
