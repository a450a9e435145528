package dev.glomers.raft;

/**
 * A log entry. {@code origin} and {@code id} name the client operation it carries (the node that took it
 * from its client, and that node's request id), the key of the applied-request table; {@code command}
 * null is the no-op a new leader appends to commit its term (the paper's section 5.4.2).
 */
record Entry<C>(long term, String origin, long id, C command) {
}
