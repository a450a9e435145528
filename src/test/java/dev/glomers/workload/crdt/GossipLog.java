package dev.glomers.workload.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glomers.sim.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Every gossip message a simulated cluster sends, with its virtual send time, for pacing checks. */
public final class GossipLog {

    private final Simulation sim;
    /** "src->dest" -> send times in ms, in order. */
    private final Map<String, List<Long>> sends = new HashMap<>();

    private GossipLog(Simulation sim) {
        this.sim = sim;
    }

    public static GossipLog watch(Simulation sim) {
        GossipLog log = new GossipLog(sim);
        sim.observe(message -> {
            if (message.type().equals("gossip")) {
                log.sends.computeIfAbsent(message.src() + "->" + message.dest(), link -> new ArrayList<>()).add(sim.time().millis());
            }
        });
        return log;
    }

    /** Messages from {@code src} to {@code dest} sent in [from, to). */
    public long sent(String src, String dest, long from, long to) {
        return sends.getOrDefault(src + "->" + dest, List.of()).stream().filter(t -> t >= from && t < to).count();
    }

    /** At most one message per link per gossip interval, however many updates came in between. */
    public void assertOnePerLinkPerInterval(long intervalMillis) {
        sends.forEach((link, times) -> {
            for (int i = 1; i < times.size(); i++) {
                assertThat(times.get(i) - times.get(i - 1)).as("gap between gossip messages on %s", link)
                        .isGreaterThanOrEqualTo(intervalMillis);
            }
        });
    }

    /**
     * Once the network is clean again and the workbench's 10 s after healing at {@code healAt} have passed
     * (knowing that every peer has everything takes one more exchange, after a back-off of up to 2 s), the
     * cluster sends nothing for a minute and no node asks for a tick.
     */
    public void assertSilentForGoodAfter(long healAt) {
        sim.dropRate(0).duplicateRate(0);
        sim.runFor(Duration.ofMillis(healAt + 10_000 - now()));
        long settled = sim.allMessages();
        sim.runFor(Duration.ofMinutes(1));
        assertThat(sim.allMessages()).as("no gossip once every node has everything").isEqualTo(settled);
        assertThat(sim.time().pending()).as("an idle node asks for no tick").isZero();
    }

    /**
     * Whether {@code done} comes to hold within {@code limit}, looking every 50 ms of virtual time (a look
     * may itself ask the nodes, so not every millisecond).
     */
    public static boolean within(Simulation sim, Duration limit, BooleanSupplier done) {
        long end = sim.time().millis() + limit.toMillis();
        while (!done.getAsBoolean()) {
            if (sim.time().millis() >= end) {
                return false;
            }
            sim.runFor(Duration.ofMillis(50));
        }
        return true;
    }

    public long now() {
        return sim.time().millis();
    }
}
