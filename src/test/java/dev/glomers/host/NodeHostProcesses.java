package dev.glomers.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The node hosts that integration tests start in a directory of their own. */
final class NodeHostProcesses {

    private NodeHostProcesses() {
    }

    /** Pids of the hosts with a pid file in {@code dir}. */
    static List<Long> pids(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(path -> path.toString().endsWith(".pid"))
                    .map(NodeHostProcesses::readPid).flatMap(Optional::stream).toList();
        }
    }

    /** Stops whatever host a test left in {@code dir}. */
    static void stopHosts(Path dir) throws IOException {
        for (long pid : pids(dir)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static Optional<Long> readPid(Path file) {
        try {
            return Optional.of(Long.parseLong(Files.readString(file).trim()));
        } catch (IOException | NumberFormatException gone) {
            return Optional.empty();
        }
    }
}
