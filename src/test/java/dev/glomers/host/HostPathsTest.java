package dev.glomers.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostPathsTest {

    @Test
    void theHostDirectoryIsCreatedPrivate(@TempDir Path temp) throws IOException {
        HostPaths paths = new HostPaths(temp.resolve("a/b/hosts"), "k");
        paths.ensurePrivateDir();
        assertThat(Files.getPosixFilePermissions(paths.dir())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        paths.ensurePrivateDir(); // and accepted as it is the next time
    }

    @Test
    void aDirectoryOthersCanReachIsRefused(@TempDir Path temp) throws IOException {
        Path open = Files.createDirectory(temp.resolve("open"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThatThrownBy(() -> new HostPaths(open, "k").ensurePrivateDir())
                .isInstanceOf(IOException.class).hasMessageContaining("0700");
    }

    @Test
    void everyFileIsNamedByTheBuildKey() {
        HostPaths paths = new HostPaths(Path.of("/run/x"), "0123abcd-java-17");
        assertThat(paths.socket()).isEqualTo(Path.of("/run/x/0123abcd-java-17.sock"));
        assertThat(new HostPaths(Path.of("/run/x"), "ffff0000-java-17").socket()).isNotEqualTo(paths.socket());
        assertThat(paths.log()).isEqualTo(Path.of("/run/x/0123abcd-java-17.log"));
    }
}
