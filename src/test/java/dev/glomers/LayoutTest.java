package dev.glomers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The harness is kept apart from the nodes, and every class name says one thing. */
class LayoutTest {

    private static final Path MAIN = Path.of("src", "main", "java");

    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(f -> f.toString().endsWith(".java")).toList();
        }
    }

    @Test
    void noClassNameExistsTwice() throws IOException {
        Map<String, List<Path>> byName = sources().stream()
                .collect(Collectors.groupingBy(f -> f.getFileName().toString()));
        assertThat(byName.entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getValue))
                .isEmpty();
    }

    @Test
    void nodeCodeDoesNotUseTheClusterRunner() throws IOException {
        Path nodeSide = MAIN.resolve(Path.of("dev", "glomers", "workload"));
        for (Path source : sources()) {
            if (source.startsWith(nodeSide)) {
                assertThat(Files.readString(source)).as(source.toString()).doesNotContain("dev.glomers.cluster");
            }
        }
    }
}
