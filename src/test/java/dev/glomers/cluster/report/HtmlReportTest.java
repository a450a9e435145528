package dev.glomers.cluster.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.ClusterOptions;
import dev.glomers.cluster.ClusterResult;
import dev.glomers.cluster.History;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.MessageJournal;
import dev.glomers.cluster.MessageStats;
import dev.glomers.cluster.Op;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The page's content from a hand-made run; HtmlReportIT renders a real one in a browser. */
class HtmlReportTest {

    private static final long MS = 1_000_000;

    private static ClusterResult result(History history) {
        ClusterOptions options = ClusterOptions.builder("broadcast").nodeCount(2).timeLimitSeconds(1).build();
        List<CheckResult> checks = List.of(new CheckResult("set-full", Verdict.VALID, "1 added",
                Map.of("stable-latencies-sorted", List.of(0L, 3L, 40L))));
        return new ClusterResult(options, Verdict.VALID, null, checks, new MessageStats().report(2), 2,
                Map.of(), Path.of("store/broadcast/20260101T000000.000"), 1.5, history);
    }

    private static ObjectNode body(String type, String text) {
        ObjectNode body = Json.object();
        body.put("type", type);
        body.put("text", text);
        return body;
    }

    private static JsonNode data(String html) throws Exception {
        String open = "<script type=\"application/json\" id=\"run-data\">";
        int from = html.indexOf(open) + open.length();
        return Json.MAPPER.readTree(html.substring(from, html.indexOf("</script>", from)));
    }

    @Test
    void aSelfContainedPageWithTheRunsOperationsPartitionsAndMessages() throws Exception {
        History history = new History();
        Op broadcast = history.invoke(0, "broadcast", LongNode.valueOf(1), 10 * MS, "n0", false);
        history.nemesis("start-partition", TextNode.valueOf("halves"), 100 * MS);
        Op read = history.invoke(1, "read", NullNode.getInstance(), 150 * MS, "n1", false);
        history.complete(broadcast, Op.Type.OK, LongNode.valueOf(1), 12 * MS, null);
        history.complete(read, Op.Type.INFO, NullNode.getInstance(), 650 * MS, "timeout");
        history.nemesis("stop-partition", TextNode.valueOf("fully connected"), 300 * MS);

        MessageJournal journal = new MessageJournal(0, 1000 * MS);
        journal.start(0);
        journal.sent(1, "c1", "n0", body("broadcast", "plain"), 10 * MS);
        journal.delivered(1, 10 * MS);
        journal.sent(2, "n0", "n1", body("gossip", "</script><b>not markup</b>"), 11 * MS);
        journal.delivered(2, 111 * MS);
        journal.sent(3, "n1", "n0", body("gossip", "cut"), 120 * MS);
        journal.dropped(3);
        journal.sent(4, "n0", "n1", body("gossip", "too late for the window"), 1500 * MS);

        String html = HtmlReport.render(result(history), journal);

        assertThat(html).doesNotContain("<script src").doesNotContain("<link").contains("uPlot");
        assertThat(html).doesNotContain("/*DATA*/").doesNotContain("/*UPLOT_JS*/").doesNotContain("{{TITLE}}");
        JsonNode data = data(html);
        assertThat(data.path("ops").path("t")).hasSize(2);
        assertThat(data.path("ops").path("type").toString()).isEqualTo("[\"ok\",\"info\"]");
        assertThat(data.path("ops").path("latency").get(0).asDouble()).isEqualTo(2.0);
        assertThat(data.path("faults").toString())
                .isEqualTo("[{\"kind\":\"partition\",\"colour\":\"#E9DCA0\",\"periods\":[[0.1,0.3]]}]");
        assertThat(data.path("stable").toString()).isEqualTo("[0,3,40]");
        JsonNode diagram = data.path("diagram");
        assertThat(diagram.path("columns").toString()).isEqualTo("[\"clients\",\"n0\",\"n1\"]");
        JsonNode messages = diagram.path("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.get(1).get(4).asDouble()).isEqualTo(11.0);
        assertThat(messages.get(1).get(5).asDouble()).isEqualTo(111.0);
        assertThat(messages.get(1).get(8).asText()).contains("</script><b>not markup</b>");
        assertThat(messages.get(2).get(5).isNull()).isTrue();
        assertThat(messages.get(2).get(6).asBoolean()).isTrue();
        long[] servers = journal.sendsPerBucket().get("servers");
        assertThat(servers[0]).isEqualTo(1);
        assertThat(servers[1]).isEqualTo(1);
        assertThat(servers[15]).isEqualTo(1);
    }

    @Test
    void anUnhealedPartitionLastsToTheEndOfTheHistory() {
        History history = new History();
        history.nemesis("start-partition", TextNode.valueOf("halves"), 100 * MS);
        Op op = history.invoke(0, "read", NullNode.getInstance(), 200 * MS, "n0", false);
        history.complete(op, Op.Type.OK, Json.valueOf(List.of()), 900 * MS, null);
        List<double[]> periods = HtmlReport.periods(history.ops(), "start-partition", "stop-partition");
        assertThat(periods).hasSize(1);
        assertThat(periods.get(0)).containsExactly(0.1, 0.9);
    }
}
