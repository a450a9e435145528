package dev.glomers.workload.crdt;

import java.util.Map;

/** Helpers for version vectors: origin node -> how many of its updates a state holds (missing = 0). */
public final class VersionVector {

    private VersionVector() {
    }

    /** True when {@code lower} holds nothing that {@code upper} lacks. */
    public static boolean dominatedBy(Map<String, Long> lower, Map<String, Long> upper) {
        for (Map.Entry<String, Long> entry : lower.entrySet()) {
            if (entry.getValue() > upper.getOrDefault(entry.getKey(), 0L)) {
                return false;
            }
        }
        return true;
    }

    /** Raises {@code into} to cover {@code other} as well, entry by entry. */
    public static void mergeInto(Map<String, Long> into, Map<String, Long> other) {
        other.forEach((origin, version) -> into.merge(origin, version, Math::max));
    }
}
