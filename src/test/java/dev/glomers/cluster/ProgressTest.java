package dev.glomers.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.NullNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void plainProgressIsJustTheLines() {
        try (Progress progress = Progress.plain(out)) {
            progress.phase(Progress.Phase.CLIENTS, 20);
            progress.println("partition halves");
            progress.lines().println("a node's stderr line");
        }
        assertThat(text()).isEqualTo("partition halves\na node's stderr line\n");
    }

    @Test
    void liveProgressRedrawsOneStatusLineBelowTheLogLines() {
        History history = new History();
        Op op = history.invoke(0, "read", NullNode.getInstance(), 0, "n0", false);
        history.invoke(1, "read", NullNode.getInstance(), 0, "n1", false);
        history.complete(op, Op.Type.FAIL, NullNode.getInstance(), 1, "error 11");
        Progress progress = Progress.live(out);
        progress.history(history);
        progress.faults("partitioned, dead n1");
        progress.phase(Progress.Phase.CLIENTS, 20);
        assertThat(progress.status()).contains("clients").contains("/ 20 s")
                .contains("2 ops, 0 ok, 1 failed, 0 indeterminate, 1 pending").contains("| partitioned, dead n1");
        progress.println("network healed");
        progress.close();
        String text = text();
        // The status line is cleared before a log line and redrawn after it; closing clears it for good.
        assertThat(text).contains("\r\033[Knetwork healed\n[").endsWith("\r\033[K");
        assertThat(text.indexOf("clients")).isLessThan(text.indexOf("network healed"));
    }
}
