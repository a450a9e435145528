package dev.glomers.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many client processes finding no host at the same moment start exactly one: the start lock lets
 * one start it while the others wait, then all connect to it.
 */
class StartRaceTest {

    static final int CLIENTS = 8;

    /** One racing client: {@code StartRaceTest DIR KEY CLASSPATH}; connects, starting the host if need be. */
    public static void main(String[] args) throws IOException {
        HostPaths paths = new HostPaths(Path.of(args[0]), args[1]);
        paths.ensurePrivateDir();
        HostClient.HostStarter starter = hostPaths -> HostClient.startHostProcess(hostPaths,
                System.getProperty("java.home"), Path.of("target", "glomers").toAbsolutePath(), args[2], Duration.ofSeconds(1));
        HostClient.startOrJoin(paths, starter, System.err, Duration.ofSeconds(60)).close();
        System.exit(0);
    }

    @Test
    void clientsArrivingAtOnceStartOneHost(@TempDir Path temp) throws Exception {
        HostPaths paths = new HostPaths(temp.resolve("hosts"), "race-test-jdk");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("java.class.path");
        List<Process> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                List<String> command = new ArrayList<>(List.of(java));
                command.addAll(HostClient.jvmOptions(Path.of("target", "glomers").toAbsolutePath(), "client"));
                command.addAll(List.of("-cp", classpath, StartRaceTest.class.getName(), paths.dir().toString(),
                        paths.buildKey(), classpath));
                clients.add(new ProcessBuilder(command)
                        .redirectError(temp.resolve("client" + i + ".err").toFile())
                        .start());
            }
            int starters = 0;
            for (int i = 0; i < CLIENTS; i++) {
                assertThat(clients.get(i).waitFor(60, TimeUnit.SECONDS)).isTrue();
                String stderr = Files.readString(temp.resolve("client" + i + ".err"));
                assertThat(clients.get(i).exitValue()).as("client %d: %s", i, stderr).isZero();
                starters += stderr.contains("starting a node host") ? 1 : 0;
            }
            assertThat(starters).isEqualTo(1);
            List<String> ready = Files.readString(paths.log()).lines().filter(line -> line.contains("ready on")).toList();
            assertThat(ready).hasSize(1);

            // "... node host PID ready on ...": the log outlives the pid file, which the host removes as it exits
            long host = Long.parseLong(ready.get(0).replaceAll(".*node host (\\d+) ready on.*", "$1"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (ProcessHandle.of(host).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(ProcessHandle.of(host).map(ProcessHandle::isAlive).orElse(false))
                    .as("the host exits after its 1 s quiet period").isFalse();
        } finally {
            clients.forEach(Process::destroyForcibly);
            if (Files.exists(paths.pidFile())) {
                ProcessHandle.of(Long.parseLong(Files.readString(paths.pidFile()).trim())).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }
}
