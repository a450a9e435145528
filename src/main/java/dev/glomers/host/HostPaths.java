package dev.glomers.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Where a node host lives: a private per-user directory (mode 0700, so no other user can reach the
 * socket) holding, per build key, {@code <key>.sock}, the locks, {@code <key>.pid} and the host's
 * log {@code <key>.log}. The key is {@code <build id>-<JDK directory name>}: the build id is a hash
 * of the jar that {@code ./mvnw package} writes to {@code target/glomers/build-id}, so a host started
 * from another build, or on another JDK, is never used. Plain JDK only (the thin client loads it).
 */
public record HostPaths(Path dir, String buildKey) {

    /** Overrides the directory (tests use a private one each). */
    public static final String DIR_ENV = "GLOMERS_HOST_DIR";

    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    /** {@code $GLOMERS_HOST_DIR}, else {@code /tmp/glomers-<uid>} (bin/glomers works it out the same way). */
    public static Path defaultDir() throws IOException {
        String configured = System.getenv(DIR_ENV);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        return Path.of("/tmp", "glomers-" + Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }

    public Path socket() {
        return dir.resolve(buildKey + ".sock");
    }

    /** Held by a client while it starts the host, so that 25 clients arriving at once start one. */
    public Path startLock() {
        return dir.resolve(buildKey + ".start.lock");
    }

    /** Held by the host for its whole life: a second host for the same build cannot run. */
    public Path hostLock() {
        return dir.resolve(buildKey + ".host.lock");
    }

    public Path pidFile() {
        return dir.resolve(buildKey + ".pid");
    }

    public Path log() {
        return dir.resolve(buildKey + ".log");
    }

    /** Creates the directory 0700, or checks that an existing one is ours and private. */
    public void ensurePrivateDir() throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another client made it a moment ago: check it below like any existing one
            }
        }
        Object owner = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Object me = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (!owner.equals(me) || !Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(PRIVATE)) {
            throw new IOException(dir + " must be a directory owned by uid " + me + " with mode 0700 (rwx------);"
                    + " it holds the node host's socket");
        }
    }
}
