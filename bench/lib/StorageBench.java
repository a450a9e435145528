import dev.glomers.storage.DurableLog;
import dev.glomers.storage.FileDisk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What an fsync costs here, through the shipped log on real files: records of RECORD_BYTES appended in
 * batches of 1, 10, 100 records per fsync (group commit), in segments that grow with their records and in
 * segments preallocated as the nodes' are (DurableLog.PREALLOCATION); its latency, and the CPU (user +
 * system) this process spends per fsync, which is what a data directory adds to a node that must sync once
 * per acknowledged operation. Run by bench/storage; a measure, not a test.
 */
public class StorageBench {

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args[0]);
        int recordBytes = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int preallocation : new int[] {0, DurableLog.PREALLOCATION}) {
            for (int batch : new int[] {1, 10, 100}) {
                deleteAll(directory);
                FileDisk disk = FileDisk.open(directory, Duration.ZERO);
                DurableLog log = DurableLog.open(disk, preallocation).log();
                byte[] record = new byte[recordBytes];
                long[] latencies = new long[1 << 20];
                int syncs = 0;
                long end = System.nanoTime() + seconds * 1_000_000_000L;
                long started = System.nanoTime();
                long cpuBefore = threads.getCurrentThreadCpuTime();
                while (System.nanoTime() < end && syncs < latencies.length) {
                    long before = System.nanoTime();
                    for (int i = 0; i < batch; i++) {
                        log.append(record);
                    }
                    log.write();
                    log.sync();
                    latencies[syncs++] = System.nanoTime() - before;
                }
                double elapsed = (System.nanoTime() - started) / 1e9;
                double cpuPerSync = (threads.getCurrentThreadCpuTime() - cpuBefore) / 1e6 / syncs;
                long[] taken = Arrays.copyOf(latencies, syncs);
                Arrays.sort(taken);
                System.out.printf("%-9s batch %3d x %d B: %7d fsyncs in %.1f s, %8.0f records/s, fsync median %.2f ms, p99 %.2f ms, CPU %.3f ms per fsync%n",
                        preallocation == 0 ? "growing" : "prealloc", batch, recordBytes, syncs, elapsed, syncs * (double) batch / elapsed,
                        taken[syncs / 2] / 1e6, taken[Math.min(syncs - 1, syncs * 99 / 100)] / 1e6, cpuPerSync);
                log.close();
            }
        }
        deleteAll(directory);
    }

    private static void deleteAll(Path directory) throws Exception {
        if (Files.exists(directory)) {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
