package dev.glomers.cluster;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Message counts as the workbench keeps them (jepsen-io/maelstrom src/maelstrom/net/checker.clj and
 * net/journal.clj, {@code stats} and {@code basic-stats}): every message put on the network is one
 * distinct message, counted when sent, whether or not it is delivered (a partition drops it after
 * counting). {@code :servers} are messages with no client at either end (nodes and services);
 * {@code :clients} involve a client (including init, init_ok and topology, which come from clients);
 * {@code :all} is both. {@code msgs-per-op} divides by the number of client invocations in the history
 * (nemesis operations excluded; set-up messages are not operations, so they only raise {@code :all}).
 */
public final class MessageStats {

    private final AtomicLong serverSends = new AtomicLong();
    private final AtomicLong clientSends = new AtomicLong();
    private final AtomicLong serverDeliveries = new AtomicLong();
    private final AtomicLong clientDeliveries = new AtomicLong();

    /** A client is any id starting with "c" (maelstrom.util/involves-client?); services are not clients. */
    public static boolean isClient(String id) {
        return id.startsWith("c");
    }

    public static boolean involvesClient(String src, String dest) {
        return isClient(src) || isClient(dest);
    }

    void sent(String src, String dest) {
        (involvesClient(src, dest) ? clientSends : serverSends).incrementAndGet();
    }

    void delivered(String src, String dest) {
        (involvesClient(src, dest) ? clientDeliveries : serverDeliveries).incrementAndGet();
    }

    public long serverMessages() {
        return serverSends.get();
    }

    public long clientMessages() {
        return clientSends.get();
    }

    public long allMessages() {
        return serverSends.get() + clientSends.get();
    }

    /** The workbench's {@code :net} figures for {@code opCount} client invocations. */
    public Map<String, Object> report(long opCount) {
        Map<String, Object> all = group(allMessages(), serverDeliveries.get() + clientDeliveries.get(), opCount);
        Map<String, Object> clients = group(clientMessages(), clientDeliveries.get(), -1);
        Map<String, Object> servers = group(serverMessages(), serverDeliveries.get(), opCount);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("all", all);
        report.put("clients", clients);
        report.put("servers", servers);
        return report;
    }

    private static Map<String, Object> group(long sends, long deliveries, long opCount) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("send-count", sends);
        m.put("recv-count", deliveries);
        m.put("msg-count", sends);
        if (opCount > 0) {
            m.put("msgs-per-op", msgsPerOp(sends, opCount));
        }
        return m;
    }

    /** msg-count / op-count, as a float like the workbench prints it. */
    public static double msgsPerOp(long messages, long opCount) {
        return opCount == 0 ? 0 : (float) ((double) messages / opCount);
    }
}
