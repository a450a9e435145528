package dev.glomers.cluster.check;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.History;
import dev.glomers.cluster.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The kafka checks of jepsen.tests.kafka (which the workbench's kafka workload uses), for operations
 * of one send or one poll each, plus a check of committed offsets:
 * <ul>
 * <li>{@code inconsistent-offsets}: two messages at one offset of a key; {@code duplicate}: one message
 *     at two offsets. The version order of a key is its offsets that hold a known message, densely
 *     numbered ("index"), from ok sends and all polls.</li>
 * <li>{@code int-poll-skip} / {@code int-nonmonotonic-poll}: within one poll, consecutive messages of a
 *     key must be neighbours in the version order.</li>
 * <li>{@code poll-skip} / {@code nonmonotonic-poll}: a consumer's poll must go on exactly after the last
 *     message its previous poll of that key returned (an assign resets the keys it drops).</li>
 * <li>{@code nonmonotonic-send}: a consumer's sends to a key must land at rising offsets.</li>
 * <li>{@code lost-write}: below the highest message any poll returned, every acknowledged message must
 *     have been returned by some poll; {@code unseen}: every acknowledged message, by the end.</li>
 * <li>{@code G1a}: a poll returned a message whose send failed definitely.</li>
 * <li>{@code committed-offsets-backwards}: a list of committed offsets returned less for a key than a
 *     list that had completed before it began; {@code committed-offsets-invented}: an offset no commit
 *     invoked before the list ended asked for.</li>
 * </ul>
 * The consumer of an operation is the {@code consumer} field of its value (see the kafka workload).
 */
public final class KafkaChecker {

    private static final int EXAMPLES = 8;

    private record Completed(Op invocation, Op completion) {
        JsonNode value() {
            return completion.isOk() ? completion.value() : invocation.value();
        }

        int consumer() {
            return invocation.value().path("consumer").asInt(-1);
        }
    }

    private final Map<String, List<Object>> errors = new TreeMap<>();

    public CheckResult check(History history) {
        List<Op> ops = history.ops();
        List<Completed> completed = new ArrayList<>();
        for (Op op : ops) {
            if (op.isClientOp() && !op.isInvoke()) {
                completed.add(new Completed(ops.get(op.invocation()), op));
            }
        }
        completed.sort((a, b) -> Integer.compare(a.completion().index(), b.completion().index()));

        // Version orders: key -> offset -> messages seen there.
        Map<String, TreeMap<Long, Set<JsonNode>>> logs = new TreeMap<>();
        Map<String, Set<JsonNode>> polled = new HashMap<>();
        for (Completed c : completed) {
            if (!c.completion().isOk()) {
                continue;
            }
            if (c.invocation().f().equals("send")) {
                JsonNode v = c.value();
                logs.computeIfAbsent(v.get("key").asText(), k -> new TreeMap<>())
                        .computeIfAbsent(v.get("offset").asLong(), o -> new HashSet<>()).add(v.get("msg"));
            } else if (c.invocation().f().equals("poll")) {
                forEachPair(c.value(), (key, offset, msg) -> {
                    logs.computeIfAbsent(key, k -> new TreeMap<>()).computeIfAbsent(offset, o -> new HashSet<>()).add(msg);
                    polled.computeIfAbsent(key, k -> new HashSet<>()).add(msg);
                });
            }
        }
        Map<String, Map<Long, Integer>> indexOf = new HashMap<>();
        Map<String, Map<JsonNode, Long>> offsetOf = new HashMap<>();
        logs.forEach((key, log) -> {
            Map<Long, Integer> index = new HashMap<>();
            Map<JsonNode, Long> offsets = new HashMap<>();
            int i = 0;
            for (Map.Entry<Long, Set<JsonNode>> entry : log.entrySet()) {
                index.put(entry.getKey(), i++);
                if (entry.getValue().size() > 1) {
                    error("inconsistent-offsets", key + " offset " + entry.getKey() + " holds " + entry.getValue());
                }
                for (JsonNode msg : entry.getValue()) {
                    Long other = offsets.put(msg, entry.getKey());
                    if (other != null && !other.equals(entry.getKey())) {
                        error("duplicate", key + " message " + msg + " at offsets " + other + " and " + entry.getKey());
                    }
                }
            }
            indexOf.put(key, index);
            offsetOf.put(key, offsets);
        });

        // Polls: within one poll, against the request, and against the consumer's previous poll.
        Map<Integer, Map<String, Long>> lastPolled = new HashMap<>();
        Map<Integer, Map<String, Long>> lastSent = new HashMap<>();
        long sends = 0;
        long polls = 0;
        long commits = 0;
        long lists = 0;
        long invocations = ops.stream().filter(op -> op.isClientOp() && op.isInvoke()).count();
        long commitInvocations = ops.stream()
                .filter(op -> op.isClientOp() && op.isInvoke() && op.f().equals("commit_offsets")).count();
        for (Completed c : completed) {
            String f = c.invocation().f();
            int consumer = c.consumer();
            if (!c.completion().isOk()) {
                continue;
            }
            switch (f) {
                case "send" -> {
                    sends++;
                    String key = c.value().get("key").asText();
                    long offset = c.value().get("offset").asLong();
                    Long previous = lastSent.computeIfAbsent(consumer, k -> new HashMap<>()).put(key, offset);
                    if (previous != null && indexOf.get(key).get(offset) <= indexOf.get(key).get(previous)) {
                        error("nonmonotonic-send", "consumer " + consumer + " sent to " + key + " at " + previous
                                + " then at " + offset);
                    }
                }
                case "poll" -> {
                    polls++;
                    Map<String, Long> last = consumer < 0 ? new HashMap<>() : lastPolled.computeIfAbsent(consumer, k -> new HashMap<>());
                    JsonNode requested = c.invocation().value().path("offsets");
                    for (Iterator<Map.Entry<String, JsonNode>> it = c.value().path("msgs").fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> entry = it.next();
                        String key = entry.getKey();
                        Map<Long, Integer> index = indexOf.get(key);
                        Long previous = last.get(key);
                        Long from = requested.has(key) ? requested.get(key).asLong() : null;
                        for (JsonNode pair : entry.getValue()) {
                            Long offset = pair.get(0).asLong();
                            if (previous == null) {
                                if (from != null && offset < from) {
                                    error("nonmonotonic-poll", "poll of " + key + " from " + from + " began at " + offset
                                            + " (op " + c.completion().index() + ")");
                                } else if (from != null && !offset.equals(logs.get(key).ceilingKey(from))) {
                                    error("poll-skip", "poll of " + key + " from " + from + " began at " + offset
                                            + ", past " + logs.get(key).ceilingKey(from) + " (op " + c.completion().index() + ")");
                                }
                            } else {
                                int delta = index.get(offset) - index.get(previous);
                                boolean first = pair == entry.getValue().get(0);
                                String scope = first ? "" : "int-";
                                if (delta > 1) {
                                    error(scope + "poll-skip", "consumer " + consumer + " read " + key + " at " + previous
                                            + " then " + offset + ", skipping " + (delta - 1) + " (op " + c.completion().index() + ")");
                                } else if (delta < 1) {
                                    error(scope + "nonmonotonic-poll", "consumer " + consumer + " read " + key + " at "
                                            + previous + " then " + offset + " (op " + c.completion().index() + ")");
                                }
                            }
                            previous = offset;
                        }
                        if (previous != null) {
                            last.put(key, previous);
                        }
                    }
                }
                case "commit_offsets" -> commits++;
                case "list_committed_offsets" -> {
                    lists++;
                    // An assign keeps the consumer's place only for the keys it keeps.
                    Set<String> kept = new HashSet<>();
                    c.value().path("keys").forEach(key -> kept.add(key.asText()));
                    lastPolled.getOrDefault(consumer, new HashMap<>()).keySet().retainAll(kept);
                    lastSent.getOrDefault(consumer, new HashMap<>()).keySet().retainAll(kept);
                }
                default -> {
                }
            }
        }

        // Aborted reads and lost or unseen writes.
        Map<String, Set<JsonNode>> failedSends = new HashMap<>();
        Map<String, Map<JsonNode, Op.Type>> sendOutcome = new HashMap<>();
        for (Completed c : completed) {
            if (c.invocation().f().equals("send")) {
                JsonNode v = c.invocation().value();
                sendOutcome.computeIfAbsent(v.get("key").asText(), k -> new HashMap<>()).put(v.get("msg"), c.completion().type());
                if (c.completion().type() == Op.Type.FAIL) {
                    failedSends.computeIfAbsent(v.get("key").asText(), k -> new HashSet<>()).add(v.get("msg"));
                }
            }
        }
        polled.forEach((key, msgs) -> msgs.stream()
                .filter(msg -> failedSends.getOrDefault(key, Set.of()).contains(msg))
                .forEach(msg -> error("G1a", key + " message " + msg + " was polled, but its send failed")));
        long unseenCount = 0;
        for (Map.Entry<String, TreeMap<Long, Set<JsonNode>>> entry : logs.entrySet()) {
            String key = entry.getKey();
            Set<JsonNode> read = polled.getOrDefault(key, Set.of());
            long highestRead = -1;
            for (JsonNode msg : read) {
                highestRead = Math.max(highestRead, offsetOf.get(key).getOrDefault(msg, -1L));
            }
            for (Map.Entry<Long, Set<JsonNode>> at : entry.getValue().entrySet()) {
                for (JsonNode msg : at.getValue()) {
                    if (read.contains(msg) || sendOutcome.getOrDefault(key, Map.of()).get(msg) != Op.Type.OK) {
                        continue;
                    }
                    if (at.getKey() < highestRead) {
                        error("lost-write", key + " message " + msg + " at offset " + at.getKey()
                                + " was never polled, though offset " + highestRead + " was");
                    } else {
                        unseenCount++;
                        error("unseen", key + " message " + msg + " at offset " + at.getKey() + " was never polled");
                    }
                }
            }
        }

        checkCommittedOffsets(completed, ops);

        Map<String, Object> details = new LinkedHashMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        errors.forEach((type, examples) -> counts.put(type, examples.size()));
        details.put("error-counts", counts);
        Map<String, List<Object>> examples = new TreeMap<>();
        errors.forEach((type, list) -> examples.put(type, list.subList(0, Math.min(EXAMPLES, list.size()))));
        details.put("errors", examples);
        details.put("ok-sends", sends);
        details.put("ok-polls", polls);
        details.put("ok-commits", commits);
        details.put("ok-lists", lists);
        details.put("failed-sends", completed.stream()
                .filter(c -> c.invocation().f().equals("send") && c.completion().type() == Op.Type.FAIL).count());
        details.put("indefinite-sends", completed.stream()
                .filter(c -> c.invocation().f().equals("send") && c.completion().type() == Op.Type.INFO).count());
        details.put("keys", logs.size());
        details.put("unseen", unseenCount);
        // The workbench makes a poll and its commit one operation: this is its op-count for msgs-per-op.
        details.put("workbench-op-count", invocations - commitInvocations);
        boolean valid = errors.isEmpty();
        String summary = valid
                ? String.format("%d sends, %d polls, %d commits, %d lists over %d keys: nothing lost, skipped or reordered",
                        sends, polls, commits, lists, logs.size())
                : "errors " + counts;
        return new CheckResult("kafka", Verdict.of(valid), summary, details);
    }

    /** Lists never go back in real time, and never name an offset nobody committed. */
    private void checkCommittedOffsets(List<Completed> completed, List<Op> ops) {
        // key -> offset a commit asked for -> when the first such commit was invoked
        Map<String, Map<Long, Long>> asked = new HashMap<>();
        for (Op op : ops) {
            if (op.isClientOp() && op.isInvoke() && op.f().equals("commit_offsets")) {
                for (Iterator<Map.Entry<String, JsonNode>> it = op.value().path("offsets").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> commit = it.next();
                    asked.computeIfAbsent(commit.getKey(), k -> new HashMap<>())
                            .merge(commit.getValue().asLong(), op.timeNanos(), Math::min);
                }
            }
        }
        List<Completed> lists = completed.stream()
                .filter(c -> c.completion().isOk() && c.invocation().f().equals("list_committed_offsets")).toList();
        for (Completed later : lists) {
            Set<String> keys = new HashSet<>();
            later.value().path("keys").forEach(key -> keys.add(key.asText()));
            JsonNode listedNow = later.value().path("offsets");
            for (Completed earlier : lists) {
                if (earlier.completion().timeNanos() >= later.invocation().timeNanos()) {
                    continue;
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = earlier.value().path("offsets").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> before = it.next();
                    JsonNode after = listedNow.get(before.getKey());
                    if (keys.contains(before.getKey()) && (after == null || after.asLong() < before.getValue().asLong())) {
                        error("committed-offsets-backwards", "key " + before.getKey() + ": listed " + before.getValue()
                                + " (op " + earlier.completion().index() + "), later " + after + " (op "
                                + later.completion().index() + ")");
                    }
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = listedNow.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> listed = it.next();
                Long since = asked.getOrDefault(listed.getKey(), Map.of()).get(listed.getValue().asLong());
                if (since == null || since > later.completion().timeNanos()) {
                    error("committed-offsets-invented", "key " + listed.getKey() + " listed at " + listed.getValue()
                            + ", which no commit asked for (op " + later.completion().index() + ")");
                }
            }
        }
    }

    private interface PairVisitor {
        void visit(String key, long offset, JsonNode msg);
    }

    private static void forEachPair(JsonNode pollValue, PairVisitor visitor) {
        for (Iterator<Map.Entry<String, JsonNode>> it = pollValue.path("msgs").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            for (JsonNode pair : entry.getValue()) {
                visitor.visit(entry.getKey(), pair.get(0).asLong(), pair.get(1));
            }
        }
    }

    private void error(String type, Object example) {
        errors.computeIfAbsent(type, t -> new ArrayList<>()).add(example);
    }
}
