package dev.glomers.node;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One message as it crossed the wire: the envelope plus its body, kept as a JSON tree so a
 * handler can read it as the typed record it declares ({@link Wire#read}).
 */
public record Message(String src, String dest, ObjectNode body) {

    public String type() {
        return body.path("type").asText();
    }

    /** The sender's id for this request; 0 means none (the workbench starts ids at 1). */
    public long msgId() {
        return body.path("msg_id").asLong(0);
    }

    /** The id of the request this message answers; 0 when it is not a reply. */
    public long inReplyTo() {
        return body.path("in_reply_to").asLong(0);
    }

    public boolean isReply() {
        return inReplyTo() != 0;
    }

    /** Clients are named c1, c2, ...; nodes and services are not. */
    public boolean fromClient() {
        return isClient(src);
    }

    public static boolean isClient(String id) {
        return id != null && id.length() > 1 && id.charAt(0) == 'c' && Character.isDigit(id.charAt(1));
    }
}
