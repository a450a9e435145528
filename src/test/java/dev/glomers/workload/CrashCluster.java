package dev.glomers.workload;

import dev.glomers.node.Core;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.storage.Stored;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Durable cores wired by hand, for crash tests at the core level: virtual time in 1 ms steps, a seeded
 * network with latency and drops, group commit every {@code syncEvery} ms per node ({@link CrashRecorder}),
 * and crashes that keep only what was synced, then restarts that {@link Core#recover} from it. Messages to
 * a node that is down are lost; so is every message it held back for a sync that never came.
 */
public final class CrashCluster {

    private record InFlight(long at, long order, Message message) {
    }

    private final List<String> ids;
    private final Function<String, Core> factory;
    private final boolean forgetful;
    private final Random random;
    private final Map<String, Core> cores = new HashMap<>();
    private final Map<String, CrashRecorder> recorders = new HashMap<>();
    private final Set<String> down = new HashSet<>();
    private final PriorityQueue<InFlight> network = new PriorityQueue<>(
            (a, b) -> a.at() != b.at() ? Long.compare(a.at(), b.at()) : Long.compare(a.order(), b.order()));
    private long order;
    private long now;
    /** Settings a test may change between steps. */
    public double dropRate;
    public int maxLatency = 10;
    public int syncEvery = 2;
    /** Called for every message a node sends to a client; and after every sync, with the node's core. */
    public Consumer<Message> toClients = message -> { };
    public BiConsumer<String, Core> afterSync = (id, core) -> { };
    /** Services by name (lin-kv, say): a request in, its reply out, answered after the network's latency. */
    public final Map<String, Function<Message, Message>> services = new HashMap<>();
    /** Every message between nodes that left a node, for tests that read the wire. */
    public final List<Message> wire = new ArrayList<>();

    public CrashCluster(List<String> ids, Function<String, Core> factory, boolean forgetful, long seed) {
        this.ids = List.copyOf(ids);
        this.factory = factory;
        this.forgetful = forgetful;
        this.random = new Random(seed);
        for (String id : ids) {
            CrashRecorder recorder = new CrashRecorder(id, forgetful);
            Core core = factory.apply(id);
            cores.put(id, core);
            recorders.put(id, recorder);
            core.start(0, recorder);
            afterSync.accept(id, core);
        }
    }

    public long now() {
        return now;
    }

    public Random random() {
        return random;
    }

    public Core core(String id) {
        return cores.get(id);
    }

    public CrashRecorder recorder(String id) {
        return recorders.get(id);
    }

    public boolean isUp(String id) {
        return !down.contains(id);
    }

    /** A client's request arrives at {@code node} now; false when the node is down (the request is lost). */
    public boolean request(String node, Message request) {
        if (down.contains(node)) {
            return false;
        }
        deliver(node, request);
        return true;
    }

    /** Crashes {@code node} now: only what it synced survives. */
    public void crash(String node) {
        down.add(node);
        recorders.get(node).crash();
    }

    /** Starts {@code node} again on what it synced: a new core, recovered, then started. */
    public Core restart(String node) {
        CrashRecorder recorder = recorders.get(node).restarted();
        Stored stored = recorder.crash();
        Core core = factory.apply(node);
        if (!stored.isEmpty()) {
            core.recover(stored);
        }
        core.start(now, recorder);
        cores.put(node, core);
        recorders.put(node, recorder);
        down.remove(node);
        flush(node);
        return core;
    }

    /** Runs {@code millis} of virtual time. */
    public void run(long millis) {
        for (long end = now + millis; now < end; ) {
            now++;
            while (!network.isEmpty() && network.peek().at() <= now) {
                Message message = network.poll().message();
                Function<Message, Message> service = services.get(message.dest());
                if (service != null) {
                    Message reply = service.apply(message);
                    network.add(new InFlight(now + 1 + random.nextInt(maxLatency), order++, reply));
                } else if (!down.contains(message.dest())) {
                    deliver(message.dest(), message);
                }
            }
            for (String id : ids) {
                Core core = cores.get(id);
                if (!down.contains(id) && core.wakeAt() <= now) {
                    core.tick(now, recorders.get(id));
                }
                if (!down.contains(id) && now % syncEvery == 0) {
                    recorders.get(id).sync();
                    afterSync.accept(id, core);
                    flush(id);
                }
            }
        }
    }

    private void deliver(String node, Message message) {
        CrashRecorder recorder = recorders.get(node);
        try {
            cores.get(node).receive(message, now, recorder);
        } catch (RpcError error) {
            if (message.msgId() != 0) {
                recorder.fail(message, error);
            }
        }
        flush(node);
    }

    private void flush(String node) {
        for (Message message : recorders.get(node).drain()) {
            if (Message.isClient(message.dest())) {
                toClients.accept(message);
            } else if (!services.containsKey(message.dest())) {
                wire.add(message);
                if (random.nextDouble() >= dropRate) {
                    network.add(new InFlight(now + 1 + random.nextInt(maxLatency), order++, message));
                }
            } else {
                network.add(new InFlight(now + 1 + random.nextInt(maxLatency), order++, message));
            }
        }
    }

    public boolean forgetful() {
        return forgetful;
    }
}
