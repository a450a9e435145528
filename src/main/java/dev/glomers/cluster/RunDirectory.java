package dev.glomers.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where a run leaves its files: {@code <store>/<workload>/<time>/} with the node logs, history.jsonl,
 * results.json and report.html; and the throw-away directory the nodes run in.
 */
final class RunDirectory {

    private RunDirectory() {
    }

    static Path create(Path storeDir, String workload) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS"));
        try {
            return Files.createDirectories(storeDir.resolve(workload).resolve(stamp));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path createWorkDir() {
        try {
            return Files.createTempDirectory("glomers-cluster");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void writeHistory(Path runDir, History history) throws IOException {
        try (Writer w = Files.newBufferedWriter(runDir.resolve("history.jsonl"), StandardCharsets.UTF_8)) {
            for (Op op : history.ops()) {
                w.write(Json.write(Json.valueOf(op)));
                w.write('\n');
            }
        }
    }

    static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp dir is harmless
        }
    }
}
