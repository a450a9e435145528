package dev.glomers.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * How many times a node has started on its data directory: the count is raised, durably, every time the
 * directory is opened. A restarted node numbers its requests from a base that grows with it, so a late reply
 * to a request of an earlier run (a service's, a peer's) is never taken for the answer to a new one.
 */
final class RunCounter {

    static final String FILE = "runs";

    private RunCounter() {
    }

    /** This start's run number: 1 on a new directory, one more than the last start's after that. */
    static long next(Disk disk) {
        try {
            long previous = disk.list().contains(FILE)
                    ? ByteBuffer.wrap(Frames.single(disk.read(FILE), disk.describe(FILE))).getLong()
                    : 0;
            long run = previous + 1;
            disk.replaceAtomically(FILE, Frames.frame(ByteBuffer.allocate(Long.BYTES).putLong(run).array()));
            return run;
        } catch (IOException e) {
            throw new StorageException("cannot count this start in the data directory: " + e.getMessage(), e);
        }
    }
}
