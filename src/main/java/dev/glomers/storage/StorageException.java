package dev.glomers.storage;

/**
 * The storage cannot go on, or refuses to start: a corrupt file (its message names the file and the byte
 * offset), a data directory that belongs to another node or cluster, one still held by a running node, an
 * I/O failure. The message is one line meant for the person who runs the node.
 */
public class StorageException extends RuntimeException {

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
