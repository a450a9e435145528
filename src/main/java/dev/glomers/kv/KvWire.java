package dev.glomers.kv;

import dev.glomers.node.Body;

/**
 * The workbench's key-value services on the wire: their names and the request bodies they take, in
 * one place for every caller (the cores that send them through {@code Effects}, and {@link KvClient}).
 * Keys and values are any JSON value; a reply to {@code read} is {@code read_ok {value}}.
 */
public final class KvWire {

    public static final String SEQ_KV = "seq-kv";
    public static final String LIN_KV = "lin-kv";
    public static final String LWW_KV = "lww-kv";

    private KvWire() {
    }

    public record Read(Object key) implements Body {
        @Override
        public String type() {
            return "read";
        }
    }

    public record Write(Object key, Object value) implements Body {
        @Override
        public String type() {
            return "write";
        }
    }

    /** Sets {@code key} to {@code to} if it holds {@code from}; {@code create_if_not_exists} stays off the wire unless true. */
    public record Cas(Object key, Object from, Object to, Boolean createIfNotExists) implements Body {

        public Cas(Object key, Object from, Object to, boolean createIfMissing) {
            this(key, from, to, createIfMissing ? Boolean.TRUE : null);
        }

        @Override
        public String type() {
            return "cas";
        }
    }
}
