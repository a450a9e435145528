package dev.glomers.node;

/**
 * What a {@link Core} may do: the effects it asks for while it handles a message or a tick. The driver
 * performs them in the order asked. There is deliberately no timeout anywhere here: a lost message is
 * never reported (not by the workbench, not by us), so a core that waits for an answer keeps its own
 * deadline and acts on it in {@link Core#tick}.
 */
public interface Effects {

    /** Fire and forget: no msg_id, no reply expected. */
    void send(String dest, Body body);

    /** Answers {@code request} with {@code body}. */
    void reply(Message request, Body body);

    /** Answers {@code request} with an error. */
    void fail(Message request, RpcError error);

    /**
     * Sends a request under a fresh {@code msg_id}, which it returns. Its reply (an {@code error} body
     * included) comes back through {@link Core#receive} with {@code in_reply_to} set to that id.
     */
    long request(String dest, Body body);
}
