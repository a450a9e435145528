package dev.glomers.cluster.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.glomers.cluster.ClusterOptions;
import dev.glomers.cluster.ClusterResult;
import dev.glomers.testing.ProductRuns;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real broadcast run with partitions writes report.html, and a browser draws it: headless Chromium
 * loads the file and the page's own marker says every chart and the message diagram were drawn.
 * Skipped, saying so, where no Chromium is installed (.ci/run installs Debian's chromium where it can).
 */
class HtmlReportIT {

    @TempDir
    Path store;

    @Test
    void aBrowserDrawsEveryPictureOfABroadcastRunWithPartitions() throws Exception {
        Optional<Path> chromium = chromium();
        ClusterResult result = ProductRuns.run(ClusterOptions.builder("broadcast").command(ProductRuns.node("broadcast"))
                .storeDir(store).nodeCount(5).timeLimitSeconds(4).rate(40).latencyMillis(20).partitionNemesis(true)
                .nemesisIntervalSeconds(0.5).recoveryWaitSeconds(1).seed(16L).build());
        Path report = result.runDir().resolve(ClusterResult.REPORT_FILE);
        assertThat(report).exists();
        assertThat(result.summary()).contains(report.toAbsolutePath().toUri().toString());

        assumeTrue(chromium.isPresent(), "Chromium is not installed (apt-get install chromium): report.html was "
                + "written but not opened in a browser");
        String dom = dumpDom(chromium.get(), report);

        assertThat(dom).contains("data-report-ready=\"diagram,latency,messages,rate,stable\"");
        assertThat(number(dom, "id=\"diagram\"[^>]*data-arrows=\"(\\d+)\"")).isPositive();
        assertThat(number(dom, "id=\"latency\"[^>]*data-partition-bands=\"(\\d+)\"")).isPositive();
        assertThat(dom).contains("<svg");

        // Hovering over an arrow shows the message: the pointer is put on the middle of the first one.
        Path hovered = store.resolve("hovered.html");
        Files.writeString(hovered, Files.readString(report) + HOVER_FIRST_ARROW);
        Matcher tooltip = Pattern.compile("<div id=\"tooltip\"([^>]*)>([^<]*)</div>").matcher(dumpDom(chromium.get(), hovered));
        assertThat(tooltip.find()).isTrue();
        assertThat(tooltip.group(1)).doesNotContain("hidden");
        assertThat(tooltip.group(2)).contains(" -&gt; ").contains("sent").contains("\"type\"");
    }

    private static final String HOVER_FIRST_ARROW = """
            <script>
            const arrow = document.getElementById('m0');
            const svg = document.querySelector('#diagram svg.messages').getBoundingClientRect();
            const x = (+arrow.getAttribute('x1') + +arrow.getAttribute('x2')) / 2;
            const y = (+arrow.getAttribute('y1') + +arrow.getAttribute('y2')) / 2;
            document.querySelector('#diagram svg.messages').dispatchEvent(
                new MouseEvent('mousemove', {clientX: svg.left + x, clientY: svg.top + y, bubbles: true}));
            </script>
            """;

    private static int number(String dom, String regex) {
        Matcher m = Pattern.compile(regex).matcher(dom);
        assertThat(m.find()).as("%s in the rendered page", regex).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** Debian's chromium (or chromium-browser) on the PATH. */
    static Optional<Path> chromium() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** The page's DOM after its scripts ran, from a fresh profile, with no network use of its own. */
    static String dumpDom(Path chromium, Path page) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("glomers-chromium");
        try {
            Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                    "--dump-dom", page.toAbsolutePath().toUri().toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("chromium did not finish in 60 s");
            }
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
