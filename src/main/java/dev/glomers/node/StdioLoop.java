package dev.glomers.node;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import org.springframework.boot.CommandLineRunner;

/**
 * The standalone node's main loop: serves stdin and stdout until stdin ends. It writes to the
 * process's real stdout descriptor; {@code System.out} itself is pointed at stderr by
 * {@code GlomersApplication}, so nothing else can put a stray line on the wire.
 */
public class StdioLoop implements CommandLineRunner {

    private final Node node;

    public StdioLoop(Node node) {
        this.node = node;
    }

    @Override
    public void run(String... args) throws Exception {
        node.serve(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out));
    }
}
