package dev.glomers.cluster.check;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Quantiles as Jepsen's {@code frequency-distribution} takes them (jepsen.checker): sort, then for each
 * point p take the element at index min(n - 1, floor(n * p)).
 */
public final class Quantiles {

    /** The points the workbench reports for stable latencies. */
    public static final List<Double> POINTS = List.of(0.0, 0.5, 0.95, 0.99, 1.0);

    private Quantiles() {
    }

    /** Point label ("0", "0.5", ...) to value; empty when there are no samples. */
    public static Map<String, Long> of(Collection<Long> samples) {
        List<Long> sorted = new ArrayList<>(samples);
        sorted.sort(null);
        Map<String, Long> result = new LinkedHashMap<>();
        if (sorted.isEmpty()) {
            return result;
        }
        int n = sorted.size();
        for (double p : POINTS) {
            int index = Math.min(n - 1, (int) Math.floor(n * p));
            result.put(label(p), sorted.get(index));
        }
        return result;
    }

    private static String label(double p) {
        return p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p);
    }
}
