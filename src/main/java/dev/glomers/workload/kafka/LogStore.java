package dev.glomers.workload.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One node's logs: the keys it owns (it assigns their offsets) and replicas of the keys its peers
 * own (prefixes of the owners' logs, pushed in batches). Polls read either kind the same way: a
 * prefix of a gap-free log can only be behind, never wrong. Also tracks, per peer, how much of each
 * owned log that peer has acknowledged, so each replication batch carries exactly what is missing.
 *
 * <p>Pure state: no clocks, threads or transport; the workload drives it from its event loop.
 */
final class LogStore {

    /** A run of an owner's log for one key, starting at offset {@code from}. */
    record Segment(long from, List<JsonNode> msgs) {
    }

    private final Map<String, KeyLog> logs = new HashMap<>();
    /** Per peer: owned key -> the length that peer has acknowledged. */
    private final Map<String, Map<String, Long>> acked = new HashMap<>();
    /** Per peer: owned keys with messages that peer has not acknowledged yet, oldest first. */
    private final Map<String, Set<String>> behind = new HashMap<>();

    LogStore(Collection<String> peers) {
        for (String peer : peers) {
            acked.put(peer, new HashMap<>());
            behind.put(peer, new LinkedHashSet<>());
        }
    }

    /** The owner appends a message; every peer is now behind on this key. */
    long append(String key, JsonNode message) {
        long offset = logs.computeIfAbsent(key, k -> new KeyLog()).append(message);
        behind.values().forEach(keys -> keys.add(key));
        return offset;
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

    /** Whether {@code peer} is missing anything of the logs this node owns. */
    boolean isBehind(String peer) {
        return !behind.getOrDefault(peer, Set.of()).isEmpty();
    }

    /** The next batch for {@code peer}: per key it lags on, what it lacks, at most {@code maxPerKey} each. */
    Map<String, Segment> missingAt(String peer, int maxPerKey, int maxKeys) {
        Map<String, Segment> batch = new LinkedHashMap<>();
        Map<String, Long> peerAcked = acked.get(peer);
        for (String key : behind.getOrDefault(peer, Set.of())) {
            if (batch.size() >= maxKeys) {
                break;
            }
            long from = peerAcked.getOrDefault(key, 0L);
            batch.put(key, new Segment(from, logs.get(key).slice(from, maxPerKey)));
        }
        return batch;
    }

    /** {@code peer} reports the lengths of its replicas; keys it fully holds stop being sent. */
    void acknowledged(String peer, Map<String, Long> lengths) {
        Map<String, Long> peerAcked = acked.get(peer);
        if (peerAcked == null) {
            return;
        }
        lengths.forEach((key, length) -> {
            peerAcked.merge(key, length, Math::max);
            if (peerAcked.get(key) >= length(key)) {
                behind.get(peer).remove(key);
            }
        });
    }

    /**
     * Takes an owner's batch into the replicas (never into a log this node owns: {@code ownedHere}
     * says which keys those are). Returns the length of every replica named in the batch.
     */
    Map<String, Long> applyReplica(Map<String, Segment> batch, Predicate<String> ownedHere) {
        Map<String, Long> lengths = new LinkedHashMap<>();
        batch.forEach((key, segment) -> {
            if (ownedHere.test(key)) {
                return;
            }
            KeyLog replica = logs.computeIfAbsent(key, k -> new KeyLog());
            lengths.put(key, replica.extend(segment.from(), segment.msgs() == null ? List.of() : segment.msgs()));
        });
        return lengths;
    }
}
