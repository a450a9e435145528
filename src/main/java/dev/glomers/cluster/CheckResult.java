package dev.glomers.cluster;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One named verdict with its figures, e.g. {@code broadcast: valid, stable-latencies ...}.
 *
 * @param details figures and examples, written to the JSON results (keep values JSON-friendly)
 */
public record CheckResult(String name, Verdict verdict, String summary, Map<String, Object> details) {

    /** Jepsen's three-valued :valid? ; composing takes the worst (invalid over unknown over valid). */
    public enum Verdict {
        VALID, UNKNOWN, INVALID;

        public Verdict and(Verdict other) {
            return compareTo(other) >= 0 ? this : other;
        }

        public static Verdict of(boolean valid) {
            return valid ? VALID : INVALID;
        }

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public CheckResult {
        details = details == null ? Map.of() : new LinkedHashMap<>(details);
    }

    public boolean isValid() {
        return verdict == Verdict.VALID;
    }
}
