package dev.glomers.workload.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One node's logs: the keys it owns (it assigns their offsets) and replicas of the keys its peers
 * own (prefixes of the owners' logs, extended message by message in the owners' order). Polls read
 * either kind the same way: a prefix of a gap-free log can only be behind, never wrong.
 *
 * <p>Pure state; which messages reach a replica, and when, is the delivery primitive's business.
 */
final class LogStore {

    private final Map<String, KeyLog> logs = new HashMap<>();
    /** Messages held over all keys, kept as they come: a durable node asks after every step. */
    private int size;

    /** The owner appends a message and gets its offset. */
    long append(String key, JsonNode message) {
        size++;
        return logs.computeIfAbsent(key, k -> new KeyLog()).append(message);
    }

    /**
     * A replica takes the owner's message at {@code offset}: one it already holds is skipped, one that
     * would leave a gap is refused (neither happens when the owner's appends arrive in order, once).
     */
    void replicate(String key, long offset, JsonNode message) {
        KeyLog log = logs.computeIfAbsent(key, k -> new KeyLog());
        long before = log.length();
        size += (int) (log.extend(offset, List.of(message)) - before);
    }

    /** Messages held over all keys. */
    int size() {
        return size;
    }

    /** Every key's messages from offset 0, for a snapshot. */
    Map<String, List<JsonNode>> logs() {
        Map<String, List<JsonNode>> copy = new HashMap<>();
        logs.forEach((key, log) -> copy.put(key, log.messages()));
        return copy;
    }

    /** Every key's length. */
    Map<String, Long> lengths() {
        Map<String, Long> lengths = new HashMap<>();
        logs.forEach((key, log) -> lengths.put(key, log.length()));
        return lengths;
    }

    long length(String key) {
        KeyLog log = logs.get(key);
        return log == null ? 0 : log.length();
    }

    /**
     * Messages from each requested offset on: a gap-free run per key of at most {@code maxPerKey},
     * and at most {@code maxTotal} over the whole answer (keys past that budget are left out, as keys
     * with nothing new are; the client asks again from the same offset).
     */
    Map<String, List<List<Object>>> poll(Map<String, Long> offsets, int maxPerKey, int maxTotal) {
        Map<String, List<List<Object>>> answer = new LinkedHashMap<>();
        int budget = maxTotal;
        for (Map.Entry<String, Long> request : offsets.entrySet()) {
            KeyLog log = logs.get(request.getKey());
            if (log == null || budget <= 0 || request.getValue() == null) {
                continue;
            }
            List<List<Object>> pairs = log.window(request.getValue(), Math.min(maxPerKey, budget));
            if (!pairs.isEmpty()) {
                answer.put(request.getKey(), pairs);
                budget -= pairs.size();
            }
        }
        return answer;
    }
}
