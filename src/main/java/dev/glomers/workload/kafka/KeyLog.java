package dev.glomers.workload.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The log of one key: messages at dense offsets 0, 1, 2, ... Append-only, so every message ever
 * sent stays pollable, and a prefix of the owner's log is all a replica ever holds.
 */
final class KeyLog {

    private final List<JsonNode> messages = new ArrayList<>();

    /** Appends a message and returns its offset, one more than the previous one. */
    long append(JsonNode message) {
        messages.add(message);
        return messages.size() - 1L;
    }

    /** Every message, from offset 0. */
    List<JsonNode> messages() {
        return new ArrayList<>(messages);
    }

    /** The offset the next message will get, which is also the number of messages. */
    long length() {
        return messages.size();
    }

    /**
     * The {@code [offset, message]} pairs from {@code from} on, at most {@code max} of them, in
     * offset order and without gaps. Empty when nothing is at or after {@code from}.
     */
    List<List<Object>> window(long from, int max) {
        long start = Math.max(0, from);
        long end = Math.min(messages.size(), start + Math.max(0, max));
        List<List<Object>> pairs = new ArrayList<>((int) Math.max(0, end - start));
        for (long offset = start; offset < end; offset++) {
            pairs.add(List.of(offset, messages.get((int) offset)));
        }
        return pairs;
    }

    /**
     * A replica takes the owner's messages that start at offset {@code from}: the part it already has
     * is skipped (a repeated delivery), a segment that would leave a gap is refused. Returns the
     * length afterwards, which tells the owner where to continue.
     */
    long extend(long from, List<JsonNode> more) {
        if (from < 0 || from > messages.size()) {
            return messages.size();
        }
        int known = (int) (messages.size() - from);
        if (known < more.size()) {
            messages.addAll(more.subList(known, more.size()));
        }
        return messages.size();
    }
}
