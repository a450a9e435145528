package dev.glomers.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * Wire-level faults seen during a run: non-JSON stdout lines, malformed replies, messages to nowhere,
 * nodes that exit early. Any of them makes the run invalid; the first few are kept as examples.
 */
final class ProtocolErrors {

    private static final int KEPT = 20;
    private final List<String> examples = new ArrayList<>();
    private long count;

    synchronized void add(String error) {
        count++;
        if (examples.size() < KEPT) {
            examples.add(error);
        }
    }

    synchronized long count() {
        return count;
    }

    synchronized List<String> examples() {
        return List.copyOf(examples);
    }
}
