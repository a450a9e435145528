package dev.glomers.node;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An outgoing message body: a record whose components are the body's fields, plus its type.
 * The runtime adds {@code msg_id} and {@code in_reply_to}; null components are never written,
 * so a client reply carries exactly the fields its record declares.
 */
public interface Body {

    @JsonProperty("type")
    String type();

    /** A body with no fields besides its type, such as {@code broadcast_ok}. */
    static Body of(String type) {
        return new TypeOnly(type);
    }

    record TypeOnly(String type) implements Body {
    }
}
