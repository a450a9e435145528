package dev.glomers.raft;

/**
 * A log entry. {@code origin} and {@code id} name the client operation it carries (the node that took it
 * from its client, and that node's request id), the key of the applied-request table; {@code command}
 * null is the no-op a new leader appends to commit its term (the paper's section 5.4.2). {@code floor} is
 * the origin's watermark when it sent the operation: every one of its operations with a smaller id was
 * applied or answered with an error by then (see {@link AppliedTable}); 0 says nothing.
 */
record Entry<C>(long term, String origin, long id, C command, long floor) {

    Entry(long term, String origin, long id, C command) {
        this(term, origin, id, command, 0);
    }
}
