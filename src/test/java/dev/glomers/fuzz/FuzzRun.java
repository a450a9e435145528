package dev.glomers.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One fuzz run against one node, whatever runs it (in this JVM, or a process through bin/glomers):
 * init, then {@link #lines()} lines of {@link FuzzInput} from a seed, then the workload's final
 * requests, whose answers are checked. Meanwhile every line the node writes must be a valid message,
 * and the whole run must end within {@link #TIME_LIMIT_SECONDS}.
 *
 * <p>Replay a failing run with its seed: {@code -Dglomers.fuzz.seed=N} (and {@code -Dglomers.fuzz.lines=N}
 * to shorten it), e.g. {@code ./mvnw -B -o test -Dtest=FuzzInProcessTest -Dglomers.fuzz.seed=N}.
 */
public final class FuzzRun {

    public static final long DEFAULT_SEED = 20261129L;
    public static final int TIME_LIMIT_SECONDS = 10;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The client of the final requests: no junk line speaks as it. */
    private static final String PROBE = "c424242";

    /** Every workload profile with its cluster and its final requests. */
    public static final List<String> PROFILES = List.of(
            "echo", "unique-ids", "broadcast", "g-set", "g-counter", "pn-counter", "kafka", "txn-rw-register",
            "lin-kv", "txn-list-append");

    public static long seed() {
        return Long.getLong("glomers.fuzz.seed", DEFAULT_SEED);
    }

    public static int lines() {
        return Integer.getInteger("glomers.fuzz.lines", 100_000);
    }

    /** Where the node's stdin and stdout are. */
    public interface Node {
        OutputStream stdin();

        InputStream stdout();
    }

    private final String profile;
    private final long seed;
    private final int lines;
    private final List<String> cluster;
    private final BlockingQueue<JsonNode> probeReplies = new LinkedBlockingQueue<>();
    private final List<String> badOutput = new ArrayList<>();
    private final Set<String> generatedIds = new HashSet<>();
    private final List<String> duplicateIds = new ArrayList<>();
    private long outputLines;
    private long outputChars;
    private final Services services = new Services();

    public FuzzRun(String profile, long seed, int lines) {
        this.profile = profile;
        this.seed = seed;
        this.lines = lines;
        // Kafka and transactions forward to or wait for their peers, which are not there: a cluster of one answers.
        // One node where the final requests need the cluster to answer (an owner, a Raft majority).
        this.cluster = List.of("kafka", "txn-rw-register", "lin-kv", "txn-list-append").contains(profile)
                ? List.of("n0") : List.of("n0", "n1", "n2");
    }

    public String profile() {
        return profile;
    }

    /** What to name in a failure: enough to replay it. */
    public String describe() {
        return profile + " seed " + seed + " (" + lines + " lines; replay with -Dglomers.fuzz.seed=" + seed + ")";
    }

    /**
     * Runs the whole exchange; the node's stdin is closed at the end and its stdout read to its end.
     * Returns how long it took, in milliseconds.
     */
    public long run(Node node) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(TIME_LIMIT_SECONDS);
        CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> readOutput(node.stdout()));
        OutputStream stdin = new BufferedOutputStream(node.stdin(), 1 << 16);
        Thread answering = new Thread(() -> services.answer(stdin), "fuzz-services");
        answering.setDaemon(true);
        answering.start();
        write(stdin, "{\"src\":\"c0\",\"dest\":\"n0\",\"body\":{\"type\":\"init\",\"msg_id\":1,\"node_id\":\"n0\",\"node_ids\":"
                + JSON.writeValueAsString(cluster) + "}}");
        CompletableFuture<Void> junk = CompletableFuture.runAsync(() -> {
            try {
                new FuzzInput(seed, "n0", cluster, 20_000).write(lines, stdin);
                stdin.flush();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        junk.get(remaining(deadline), TimeUnit.NANOSECONDS);
        probe(stdin, deadline);
        services.stop();
        answering.join(TimeUnit.NANOSECONDS.toMillis(remaining(deadline)));
        stdin.close();
        reading.get(remaining(deadline), TimeUnit.NANOSECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(badOutput).as("%s: stdout lines that are not valid messages", describe()).isEmpty();
        assertThat(duplicateIds).as("%s: generate_ok ids given twice", describe()).isEmpty();
        return millis;
    }

    public long outputLines() {
        return outputLines;
    }

    /** Characters the node wrote on stdout, newlines not counted. */
    public long outputChars() {
        return outputChars;
    }

    /** The workload's final requests, one after another, each answer checked. */
    private void probe(OutputStream stdin, long deadline) throws Exception {
        switch (profile) {
            case "echo" -> {
                JsonNode ok = ask(stdin, deadline, "{\"type\":\"echo\",\"echo\":\"fuzz final\"}", "echo_ok");
                assertThat(ok.path("echo").asText()).isEqualTo("fuzz final");
            }
            case "unique-ids" -> {
                JsonNode ok = ask(stdin, deadline, "{\"type\":\"generate\"}", "generate_ok");
                assertThat(ok.has("id")).as("%s: generate_ok has an id", describe()).isTrue();
            }
            case "broadcast" -> {
                ask(stdin, deadline, "{\"type\":\"broadcast\",\"message\":9000000001}", "broadcast_ok");
                JsonNode read = ask(stdin, deadline, "{\"type\":\"read\"}", "read_ok");
                assertThat(values(read.path("messages"))).contains("9000000001");
            }
            case "g-set" -> {
                ask(stdin, deadline, "{\"type\":\"add\",\"element\":\"fuzz final\"}", "add_ok");
                JsonNode read = ask(stdin, deadline, "{\"type\":\"read\"}", "read_ok");
                assertThat(values(read.path("value"))).contains("fuzz final");
            }
            case "g-counter", "pn-counter" -> {
                JsonNode before = ask(stdin, deadline, "{\"type\":\"read\"}", "read_ok");
                ask(stdin, deadline, "{\"type\":\"add\",\"delta\":3}", "add_ok");
                JsonNode after = ask(stdin, deadline, "{\"type\":\"read\"}", "read_ok");
                // Nothing else adds meanwhile (the junk is all in before the final requests): exactly 3 more.
                assertThat(after.path("value").asLong()).as("%s: read before %s, after %s", describe(), before, after)
                        .isEqualTo(before.path("value").asLong() + 3);
            }
            case "kafka" -> {
                JsonNode sent = ask(stdin, deadline, "{\"type\":\"send\",\"key\":\"fuzz-final\",\"msg\":4242}", "send_ok");
                long offset = sent.path("offset").asLong(-1);
                JsonNode poll = ask(stdin, deadline, "{\"type\":\"poll\",\"offsets\":{\"fuzz-final\":" + offset + "}}", "poll_ok");
                assertThat(poll.path("msgs").path("fuzz-final").path(0).toString()).isEqualTo("[" + offset + ",4242]");
            }
            case "txn-rw-register" -> {
                JsonNode ok = ask(stdin, deadline, "{\"type\":\"txn\",\"txn\":[[\"w\",900001,7],[\"r\",900001,null]]}", "txn_ok");
                assertThat(ok.path("txn").toString()).isEqualTo("[[\"w\",900001,7],[\"r\",900001,7]]");
            }
            case "lin-kv" -> {
                ask(stdin, deadline, "{\"type\":\"write\",\"key\":900001,\"value\":4}", "write_ok");
                ask(stdin, deadline, "{\"type\":\"cas\",\"key\":900001,\"from\":4,\"to\":2}", "cas_ok");
                JsonNode read = ask(stdin, deadline, "{\"type\":\"read\",\"key\":900001}", "read_ok");
                assertThat(read.path("value").asInt()).isEqualTo(2);
            }
            case "txn-list-append" -> {
                JsonNode ok = ask(stdin, deadline,
                        "{\"type\":\"txn\",\"txn\":[[\"append\",900001,7],[\"append\",900001,8],[\"r\",900001,null]]}", "txn_ok");
                assertThat(ok.path("txn").toString()).isEqualTo("[[\"append\",900001,7],[\"append\",900001,8],[\"r\",900001,[7,8]]]");
            }
            default -> throw new IllegalArgumentException("no final requests for " + profile);
        }
    }

    private int probeMsgId = 1_000_000_000;

    private JsonNode ask(OutputStream stdin, long deadline, String body, String expectedType) throws Exception {
        int msgId = ++probeMsgId;
        String request = body.substring(0, body.length() - 1) + ",\"msg_id\":" + msgId + "}";
        write(stdin, "{\"src\":\"" + PROBE + "\",\"dest\":\"n0\",\"body\":" + request + "}");
        stdin.flush();
        while (true) {
            JsonNode reply = probeReplies.poll(remaining(deadline), TimeUnit.NANOSECONDS);
            if (reply == null) {
                throw new AssertionError(describe() + ": no answer to " + request + " within " + TIME_LIMIT_SECONDS + " s");
            }
            if (reply.path("in_reply_to").asLong() == msgId) {
                assertThat(reply.path("type").asText()).as("%s: answer to %s: %s", describe(), request, reply)
                        .isEqualTo(expectedType);
                return reply;
            }
        }
    }

    private void readOutput(InputStream stdout) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8), 1 << 16)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                outputLines++;
                outputChars += line.length();
                JsonNode message = parse(line);
                String problem = message == null ? "not JSON" : problem(message);
                if (problem != null) {
                    if (badOutput.size() < 5) {
                        badOutput.add(problem + ": " + (line.length() > 300 ? line.substring(0, 300) + "..." : line));
                    }
                    continue;
                }
                JsonNode body = message.get("body");
                if (body.path("type").asText().equals("generate_ok") && body.has("id") && !generatedIds.add(body.get("id").toString())) {
                    duplicateIds.add(body.get("id").toString());
                }
                if (message.get("dest").asText().equals(PROBE)) {
                    probeReplies.add(body);
                }
                services.receive(message);
            }
        } catch (IOException e) {
            badOutput.add("stdout failed: " + e);
        }
    }

    /** Why a stdout line (parsed) is not a valid message (the workbench's envelope), or null when it is one. */
    static String problem(JsonNode message) {
        if (message == null || !message.isObject()) {
            return "not an object";
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = message.fields(); fields.hasNext(); ) {
            String name = fields.next().getKey();
            if (!Set.of("src", "dest", "body", "id").contains(name)) {
                return "envelope field " + name;
            }
        }
        if (!message.path("src").isTextual() || !message.path("dest").isTextual()) {
            return "src or dest not a string";
        }
        JsonNode body = message.path("body");
        if (!body.isObject() || !body.path("type").isTextual()) {
            return "body without a type";
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = body.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            // An echo answers with what it was sent: a request's "echo": null comes back as null.
            boolean echoed = field.getKey().equals("echo") && body.path("type").asText().equals("echo_ok");
            if (field.getValue().isNull() && !echoed) {
                return "null field " + field.getKey();
            }
        }
        for (String id : List.of("msg_id", "in_reply_to")) {
            if (body.has(id) && !body.get(id).isIntegralNumber()) {
                return id + " not an integer";
            }
        }
        if (body.path("type").asText().equals("error") && !body.path("code").isIntegralNumber()) {
            return "error without an integer code";
        }
        return null;
    }

    /**
     * The key-value services the workbench would run beside the node (seq-kv, lin-kv, lww-kv as one
     * linearizable store: every behaviour of it is one the weaker services may show), so that
     * workloads that keep state there can answer. Replies go through a queue to a thread of their
     * own: the thread reading the node's stdout must never wait on its stdin.
     */
    private static final class Services {
        private static final String STOP = "stop";
        private final Map<String, JsonNode> store = new java.util.HashMap<>();
        private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();

        void receive(JsonNode message) {
            String service = message.get("dest").asText();
            if (!Set.of("seq-kv", "lin-kv", "lww-kv").contains(service)) {
                return;
            }
            JsonNode body = message.get("body");
            String key = service + "/" + body.path("key");
            com.fasterxml.jackson.databind.node.ObjectNode reply = JSON.createObjectNode();
            JsonNode current = store.get(key);
            switch (body.path("type").asText()) {
                case "read" -> {
                    if (current == null) {
                        error(reply, 20, "not found");
                    } else {
                        reply.put("type", "read_ok").set("value", current);
                    }
                }
                case "write" -> {
                    store.put(key, body.path("value"));
                    reply.put("type", "write_ok");
                }
                case "cas" -> {
                    if (current == null && !body.path("create_if_not_exists").asBoolean(false)) {
                        error(reply, 20, "not found");
                    } else if (current != null && !current.equals(body.path("from"))) {
                        error(reply, 22, "expected " + body.path("from") + ", had " + current);
                    } else {
                        store.put(key, body.path("to"));
                        reply.put("type", "cas_ok");
                    }
                }
                default -> error(reply, 10, "not supported");
            }
            if (!body.has("msg_id")) {
                return;
            }
            reply.put("in_reply_to", body.get("msg_id").asLong());
            com.fasterxml.jackson.databind.node.ObjectNode envelope = JSON.createObjectNode();
            envelope.put("src", service).put("dest", message.get("src").asText()).set("body", reply);
            replies.add(envelope.toString());
        }

        private static void error(com.fasterxml.jackson.databind.node.ObjectNode reply, int code, String text) {
            reply.put("type", "error").put("code", code).put("text", text);
        }

        void answer(OutputStream stdin) {
            try {
                for (String reply = replies.take(); !reply.equals(STOP); reply = replies.take()) {
                    stdin.write((reply + "\n").getBytes(StandardCharsets.UTF_8));
                    if (replies.isEmpty()) {
                        stdin.flush();
                    }
                }
            } catch (InterruptedException | IOException e) {
                // the run is over
            }
        }

        void stop() {
            replies.add(STOP);
        }
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            return null;
        }
    }

    private static List<String> values(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    private static void write(OutputStream stdin, String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static long remaining(long deadline) {
        return Math.max(1, deadline - System.nanoTime());
    }
}
