package dev.glomers.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded random input for a node: every kind of line a careless or hostile peer could send. One
 * seed gives one sequence of lines, the same in every run (replay: {@code -Dglomers.fuzz.seed=N}).
 *
 * <p>Kinds: not JSON (garbage, cut-off messages); JSON that is not an object; deep nesting (whole
 * lines and inside bodies, shallower and deeper than the parser allows); unknown types; known
 * types with fields of the wrong type; huge numbers; NUL, control, non-ASCII and invalid UTF-8
 * bytes; lines of 1 MB; messages claiming to come from other nodes and from the services; replies
 * to requests never sent; and well-formed client requests with random values.
 */
public final class FuzzInput {

    /** Clients the junk speaks as; the checks in {@link FuzzRun} use another. */
    private static final String[] SOURCES = {"c1", "c2", "c77", "n1", "n2", "n99", "seq-kv", "lin-kv", "lww-kv",
            "lin-tso", "", "n0", "c", "\u00fcber", "c1\u0000", "x".repeat(300)};
    /** Every type some workload or service uses, and a few no one does. */
    private static final String[] TYPES = {"init", "echo", "generate", "topology", "broadcast", "read", "add",
            "send", "poll", "commit_offsets", "list_committed_offsets", "txn", "gossip", "broadcast_gossip",
            "kafka_send", "kafka_replicate", "txn_replicate", "read_ok", "write_ok", "cas_ok", "error", "write",
            "cas", "init_ok", "echo_ok", "generate_ok", "append_entries", "follower_update", "request_vote", "vote", "rejoin",
            "relay", "bundle", "nosuch", "", "TYPE", "\u0000", "read\u00e9"};
    private static final String[] FIELDS = {"echo", "message", "messages", "topology", "delta", "element", "value",
            "key", "msg", "offsets", "keys", "txn", "node_id", "node_ids", "code", "text", "from", "to", "logs",
            "lengths", "delta", "versions", "known", "seq", "ack", "txns", "msgs", "offset", "id", "term", "entries",
            "granted", "ops", "msg", "last_index", "last_term", "result"};
    private static final String[] NUMBERS = {"0", "-1", "1e400", "-1e400", "123456789012345678901234567890",
            "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1.5", "-0.0", "1E-400",
            "4.9e-324", "2147483648", "NaN", "Infinity", "00012", "0x10", "1" + "0".repeat(2000)};

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final SplittableRandom random;
    private final String node;
    private final List<String> cluster;
    private final int megaEvery;

    /**
     * @param node the id the junk addresses
     * @param cluster the node ids, for messages that claim to come from peers
     * @param megaEvery about one line in this many is 1 MB long
     */
    public FuzzInput(long seed, String node, List<String> cluster, int megaEvery) {
        this.random = new SplittableRandom(seed);
        this.node = node;
        this.cluster = cluster;
        this.megaEvery = megaEvery;
    }

    /** Writes {@code count} lines of junk, each ended by a newline. */
    public void write(int count, OutputStream out) throws IOException {
        for (int i = 0; i < count; i++) {
            byte[] line = nextLine();
            byte[] withNewline = java.util.Arrays.copyOf(line, line.length + 1);
            withNewline[line.length] = '\n';
            out.write(withNewline); // one call: other threads write whole lines to the same stream
        }
    }

    /** One line of junk, without its newline (it holds no newline byte). */
    public byte[] nextLine() {
        if (random.nextInt(megaEvery) == 0) {
            return mega();
        }
        int kind = random.nextInt(100);
        String line;
        if (kind < 10) {
            return notJson();
        } else if (kind < 16) {
            line = notAnObject();
        } else if (kind < 22) {
            line = deep();
        } else if (kind < 40) {
            line = envelope(randomSource(), node, knownTypeWrongFields());
        } else if (kind < 46) {
            line = envelope(randomSource(), node, "{\"type\":" + quote(randomText(12)) + msgIdField() + "}");
        } else if (kind < 54) {
            line = envelope(randomSource(), node, hugeNumbers());
        } else if (kind < 62) {
            return rawBytes();
        } else if (kind < 76) {
            line = envelope(pick(peersAndServices()), node, knownTypeWrongFields());
        } else if (kind < 86) {
            line = envelope(pick(peersAndServices()), node, orphanReply());
        } else {
            line = envelope(pick(new String[] {"c1", "c2", "c3"}), node, validLookingRequest());
        }
        return line.getBytes(StandardCharsets.UTF_8);
    }

    private String[] peersAndServices() {
        String[] from = new String[cluster.size() + 5];
        for (int i = 0; i < cluster.size(); i++) {
            from[i] = cluster.get(i);
        }
        from[cluster.size()] = "seq-kv";
        from[cluster.size() + 1] = "lin-kv";
        from[cluster.size() + 2] = "lww-kv";
        from[cluster.size() + 3] = "lin-tso";
        from[cluster.size() + 4] = "n99";
        return from;
    }

    private byte[] notJson() {
        return switch (random.nextInt(5)) {
            case 0 -> "not json".getBytes(StandardCharsets.UTF_8);
            case 1 -> {
                String message = envelope("c1", node, "{\"type\":\"echo\",\"msg_id\":5,\"echo\":\"cut\"}");
                yield message.substring(0, random.nextInt(message.length())).getBytes(StandardCharsets.UTF_8);
            }
            case 2 -> ("{\"src\":\"c1\",\"dest\":\"" + node + "\",\"body\":{\"type\":\"echo\",\"msg_id\":1,}}").getBytes(StandardCharsets.UTF_8);
            case 3 -> printable(1 + random.nextInt(200)).getBytes(StandardCharsets.UTF_8);
            default -> ("{" + "\"a\":".repeat(1 + random.nextInt(20))).getBytes(StandardCharsets.UTF_8);
        };
    }

    private String notAnObject() {
        return switch (random.nextInt(7)) {
            case 0 -> pick(NUMBERS);
            case 1 -> "[1,2,{\"type\":\"echo\"}]";
            case 2 -> quote(randomText(20));
            case 3 -> "null";
            case 4 -> "true";
            case 5 -> "{\"src\":\"c1\",\"dest\":\"" + node + "\",\"body\":" + pick(new String[] {"null", "[]", "1", "\"echo\""}) + "}";
            default -> "{\"src\":\"c1\",\"dest\":\"" + node + "\",\"body\":{\"type\":" + pick(new String[] {"null", "1", "[]", "{}", "true"}) + ",\"msg_id\":3}}";
        };
    }

    /** Nesting: as a whole line, or as a field of a body; some within the parser's depth limit, some beyond. */
    private String deep() {
        int depth = random.nextInt(4) == 0 ? 1000 + random.nextInt(20_000) : 1 + random.nextInt(900);
        boolean arrays = random.nextBoolean();
        String nested = (arrays ? "[" : "{\"a\":").repeat(depth) + "1" + (arrays ? "]" : "}").repeat(depth);
        if (random.nextBoolean()) {
            return nested;
        }
        return envelope("c1", node, "{\"type\":" + quote(pick(TYPES)) + msgIdField() + ",\"" + pick(FIELDS) + "\":" + nested + "}");
    }

    private String knownTypeWrongFields() {
        StringBuilder body = new StringBuilder("{\"type\":").append(quote(pick(TYPES))).append(msgIdField());
        int fields = random.nextInt(5);
        for (int i = 0; i < fields; i++) {
            body.append(',').append(quote(pick(FIELDS))).append(':').append(randomValue(3));
        }
        return body.append('}').toString();
    }

    private String hugeNumbers() {
        return "{\"type\":" + quote(pick(new String[] {"add", "broadcast", "read", "echo", "generate", "poll", "send", "txn"}))
                + ",\"msg_id\":" + pick(NUMBERS) + ",\"" + pick(FIELDS) + "\":" + pick(NUMBERS)
                + (random.nextBoolean() ? ",\"in_reply_to\":" + pick(NUMBERS) : "") + "}";
    }

    private String orphanReply() {
        String type = pick(new String[] {"read_ok", "write_ok", "cas_ok", "error", "gossip_ok", "kafka_send_ok",
                "kafka_replicate_ok", "txn_replicate_ok", "broadcast_ok", "init_ok"});
        StringBuilder body = new StringBuilder("{\"type\":\"").append(type).append("\",\"in_reply_to\":")
                .append(1 + random.nextInt(1_000_000));
        if (type.equals("error")) {
            body.append(",\"code\":").append(pick(new String[] {"0", "1", "11", "13", "20", "22", "30", "-5", "\"x\"", "1e400"}))
                    .append(",\"text\":").append(randomValue(1));
        } else {
            body.append(',').append(quote(pick(FIELDS))).append(':').append(randomValue(3));
        }
        return body.append('}').toString();
    }

    private String validLookingRequest() {
        long msgId = 1 + random.nextInt(1_000_000);
        return switch (random.nextInt(8)) {
            case 0 -> "{\"type\":\"echo\",\"msg_id\":" + msgId + ",\"echo\":" + randomValue(2) + "}";
            case 1 -> "{\"type\":\"broadcast\",\"msg_id\":" + msgId + ",\"message\":" + random.nextInt(1_000_000) + "}";
            case 2 -> "{\"type\":\"read\",\"msg_id\":" + msgId + "}";
            case 3 -> "{\"type\":\"add\",\"msg_id\":" + msgId + ",\"delta\":" + random.nextInt(100) + ",\"element\":" + random.nextInt(1000) + "}";
            case 4 -> "{\"type\":\"send\",\"msg_id\":" + msgId + ",\"key\":\"k" + random.nextInt(5) + "\",\"msg\":" + random.nextInt(1000) + "}";
            case 5 -> "{\"type\":\"poll\",\"msg_id\":" + msgId + ",\"offsets\":{\"k" + random.nextInt(5) + "\":" + random.nextInt(5) + "}}";
            case 6 -> "{\"type\":\"txn\",\"msg_id\":" + msgId + ",\"txn\":[[\"w\"," + random.nextInt(10) + "," + random.nextInt(100)
                    + "],[\"r\"," + random.nextInt(10) + ",null]]}";
            default -> "{\"type\":\"topology\",\"msg_id\":" + msgId + ",\"topology\":{\"" + node + "\":[\"n1\",\"n7\"]}}";
        };
    }

    /** NUL, control and non-ASCII characters, raw and escaped, and bytes that are not UTF-8. */
    private byte[] rawBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String prefix = "{\"src\":\"c1\",\"dest\":\"" + node + "\",\"body\":{\"type\":\"echo\",\"msg_id\":9,\"echo\":\"";
        boolean inMessage = random.nextBoolean();
        if (inMessage) {
            out.writeBytes(prefix.getBytes(StandardCharsets.UTF_8));
        }
        int length = 1 + random.nextInt(60);
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(6)) {
                case 0 -> out.write(0);
                case 1 -> out.write(0x80 + random.nextInt(0x80)); // a continuation byte alone, or 0xff / 0xfe
                case 2 -> out.writeBytes("\\u0000\\ud800\\udfff\\u001f".getBytes(StandardCharsets.UTF_8));
                case 3 -> out.writeBytes("\u00e9\u4e2d\ud83d\ude00\u202e".getBytes(StandardCharsets.UTF_8));
                case 4 -> out.write(1 + random.nextInt(31) == '\n' ? 'n' : 1 + random.nextInt(31));
                default -> out.write('a' + random.nextInt(26));
            }
        }
        if (inMessage) {
            out.writeBytes("\"}}".getBytes(StandardCharsets.UTF_8));
        }
        byte[] bytes = out.toByteArray();
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n' || bytes[i] == '\r') {
                bytes[i] = ' ';
            }
        }
        return bytes;
    }

    /** A line of 1 MB: garbage, or a well-formed request carrying 1 MB of text. */
    private byte[] mega() {
        String filler = printable(64).replace('"', 'q').replace('\\', 'b').repeat(1 << 14);
        if (random.nextBoolean()) {
            return filler.getBytes(StandardCharsets.UTF_8);
        }
        String type = pick(new String[] {"echo", "add", "send", "broadcast", "txn"});
        return envelope("c1", node, "{\"type\":\"" + type + "\",\"msg_id\":" + (1 + random.nextInt(1000))
                + ",\"echo\":\"" + filler + "\",\"element\":\"" + filler.substring(0, 1000) + "\",\"key\":\"k\",\"msg\":1}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private String randomValue(int depth) {
        int kind = random.nextInt(depth <= 0 ? 5 : 8);
        return switch (kind) {
            case 0 -> "null";
            case 1 -> pick(NUMBERS);
            case 2 -> quote(randomText(10));
            case 3 -> String.valueOf(random.nextBoolean());
            case 4 -> String.valueOf(random.nextInt(2000) - 1000);
            case 5 -> {
                StringBuilder array = new StringBuilder("[");
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    array.append(i == 0 ? "" : ",").append(randomValue(depth - 1));
                }
                yield array.append(']').toString();
            }
            default -> {
                StringBuilder object = new StringBuilder("{");
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    String key = random.nextBoolean() ? pick(cluster.toArray(String[]::new)) : pick(FIELDS);
                    object.append(i == 0 ? "" : ",").append(quote(key)).append(':').append(randomValue(depth - 1));
                }
                yield object.append('}').toString();
            }
        };
    }

    private String msgIdField() {
        return switch (random.nextInt(6)) {
            case 0 -> "";
            case 1 -> ",\"msg_id\":" + pick(NUMBERS);
            case 2 -> ",\"msg_id\":" + randomValue(1);
            default -> ",\"msg_id\":" + (1 + random.nextInt(1_000_000));
        };
    }

    private String randomSource() {
        return pick(SOURCES);
    }

    private String randomText(int maxLength) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(maxLength + 1);
        for (int i = 0; i < length; i++) {
            text.append(switch (random.nextInt(5)) {
                case 0 -> '\u0000';
                case 1 -> '\u00fc';
                case 2 -> '"';
                case 3 -> '\\';
                default -> (char) ('a' + random.nextInt(26));
            });
        }
        return text.toString();
    }

    private String printable(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) (' ' + random.nextInt(95)));
        }
        return text.toString();
    }

    private <T> T pick(T[] choices) {
        return choices[random.nextInt(choices.length)];
    }

    /** A JSON string literal for any text: quotes, backslashes and control characters escaped. */
    static String quote(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c < 0x20) {
                quoted.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    private static String envelope(String src, String dest, String body) {
        return "{\"src\":" + quote(src) + ",\"dest\":" + quote(dest) + ",\"body\":" + body + "}";
    }
}
