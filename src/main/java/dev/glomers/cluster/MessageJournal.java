package dev.glomers.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the report draws of the network: messages sent per 100 ms (servers and clients apart) over the
 * whole client phase, and every message sent within one window with its body and its fate, for the
 * message diagram. Times are nanoseconds since the client phase began; nothing is recorded before it.
 */
public final class MessageJournal {

    /** Bucket width of the message-rate series. */
    public static final long BUCKET_NANOS = 100_000_000L;
    /** At most this many messages in the diagram, so that the report stays small. */
    public static final int MAX_DIAGRAM_MESSAGES = 6000;

    /** One message of the diagram window. {@code receivedNanos} is -1 when dropped or still in flight. */
    public static final class Entry {
        public final long seq;
        public final String src;
        public final String dest;
        public final JsonNode body;
        public final long sentNanos;
        volatile long receivedNanos = -1;
        volatile boolean dropped;

        Entry(long seq, String src, String dest, JsonNode body, long sentNanos) {
            this.seq = seq;
            this.src = src;
            this.dest = dest;
            this.body = body;
            this.sentNanos = sentNanos;
        }

        public long receivedNanos() {
            return receivedNanos;
        }

        public boolean dropped() {
            return dropped;
        }
    }

    private final long windowFrom;
    private final long windowTo;
    private volatile long origin = Long.MIN_VALUE;
    private final List<long[]> sendsPerBucket = new ArrayList<>(); // [servers, clients]
    private final Map<Long, Entry> window = new LinkedHashMap<>();
    private int omitted;

    public MessageJournal(long windowFromNanos, long windowToNanos) {
        this.windowFrom = windowFromNanos;
        this.windowTo = windowToNanos;
    }

    /** The client phase begins: times count from now. */
    public void start(long nanoTime) {
        origin = nanoTime;
    }

    public void sent(long seq, String src, String dest, JsonNode body, long nanoTime) {
        long t = nanoTime - origin;
        if (origin == Long.MIN_VALUE || t < 0) {
            return;
        }
        synchronized (this) {
            int bucket = (int) (t / BUCKET_NANOS);
            while (sendsPerBucket.size() <= bucket) {
                sendsPerBucket.add(new long[2]);
            }
            sendsPerBucket.get(bucket)[MessageStats.involvesClient(src, dest) ? 1 : 0]++;
            if (t >= windowFrom && t < windowTo) {
                if (window.size() < MAX_DIAGRAM_MESSAGES) {
                    window.put(seq, new Entry(seq, src, dest, body.deepCopy(), t));
                } else {
                    omitted++;
                }
            }
        }
    }

    public void delivered(long seq, long nanoTime) {
        Entry e = entry(seq);
        if (e != null) {
            e.receivedNanos = nanoTime - origin;
        }
    }

    public void dropped(long seq) {
        Entry e = entry(seq);
        if (e != null) {
            e.dropped = true;
        }
    }

    private synchronized Entry entry(long seq) {
        return window.isEmpty() ? null : window.get(seq);
    }

    public long windowFromNanos() {
        return windowFrom;
    }

    public long windowToNanos() {
        return windowTo;
    }

    public synchronized List<Entry> diagram() {
        return List.copyOf(window.values());
    }

    /** Messages sent in the window beyond {@link #MAX_DIAGRAM_MESSAGES}. */
    public synchronized int omitted() {
        return omitted;
    }

    /** Server and client messages sent per 100 ms bucket since the client phase began. */
    public synchronized Map<String, long[]> sendsPerBucket() {
        long[] servers = new long[sendsPerBucket.size()];
        long[] clients = new long[sendsPerBucket.size()];
        for (int i = 0; i < servers.length; i++) {
            servers[i] = sendsPerBucket.get(i)[0];
            clients[i] = sendsPerBucket.get(i)[1];
        }
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("servers", servers);
        m.put("clients", clients);
        return m;
    }
}
