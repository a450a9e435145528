package dev.glomers.workload.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Message;
import dev.glomers.node.Wire;
import dev.glomers.storage.Stored;
import dev.glomers.workload.counter.PnCounterState;
import dev.glomers.workload.gset.GSetState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Durable CRDT cores (g-set and pn-counter) on a lossy network, crashed at random points with a disk that
 * keeps only what was synced, restarted later: nothing acknowledged is lost, a restarted node's reads
 * include all it had shown before, every node ends equal. The same checks run on a disk that drops the
 * core's writes, and fail there.
 */
class CrdtDurabilityTest {

    private static final List<String> NODES = List.of("n0", "n1", "n2");
    private static final CrdtProperties SETTINGS = new CrdtProperties(Duration.ofMillis(250), 2);

    /** One node: its core, state and disk, and what its reads showed (versions of the state each read saw). */
    private static final class Replica {
        final String id;
        final RecordingDisk disk;
        final Supplier<AddReadCrdt> fresh;
        AddReadCrdt state;
        CrdtCore core;
        boolean up = true;
        Map<String, Long> shown = new HashMap<>();
        final Map<Long, Map<String, Long>> readVersions = new HashMap<>();

        Replica(String id, RecordingDisk disk, Supplier<AddReadCrdt> fresh, long now) {
            this.id = id;
            this.disk = disk;
            this.fresh = fresh;
            boot(disk.stored(), now);
        }

        void boot(Stored stored, long now) {
            state = fresh.get();
            core = new CrdtCore(id, NODES, SETTINGS, state);
            if (!stored.isEmpty()) {
                core.recover(stored);
            }
            core.start(now, disk);
            up = true;
        }
    }

    private record InFlight(long at, Message message) {
    }

    /** What a run found wrong (empty when nothing). */
    private static List<String> run(long seed, boolean gset, boolean keepWrites) {
        Random random = new Random(seed);
        List<String> problems = new ArrayList<>();
        Map<String, Replica> nodes = new HashMap<>();
        Supplier<AddReadCrdt> fresh = gset ? GSetState::new : PnCounterState::new;
        for (String id : NODES) {
            nodes.put(id, new Replica(id, keepWrites ? RecordingDisk.keeping() : RecordingDisk.forgetful(), fresh, 0));
        }
        List<InFlight> network = new ArrayList<>();
        Map<Long, String> invoked = new HashMap<>(); // msg_id -> node, adds not yet acknowledged
        Map<Long, Long> deltas = new HashMap<>();
        Set<Long> acknowledged = new HashSet<>();
        long nextMsgId = 1;
        long now = 0;
        long end = 20_000;
        for (; now < end + 15_000; now += 5) {
            boolean faults = now < end;
            // Clients: an add or a read at a random node that is up.
            Replica target = nodes.get(NODES.get(random.nextInt(NODES.size())));
            if (faults && target.up && random.nextInt(3) == 0) {
                long msgId = nextMsgId++;
                ObjectNode body = Wire.JSON.createObjectNode().put("msg_id", msgId);
                if (random.nextBoolean()) {
                    body.put("type", "add");
                    if (gset) {
                        body.put("element", msgId);
                    } else {
                        body.put("delta", 1 + random.nextInt(5));
                    }
                    deltas.put(msgId, gset ? 0 : body.get("delta").asLong());
                    invoked.put(msgId, target.id);
                } else {
                    body.put("type", "read");
                    target.readVersions.put(msgId, Map.copyOf(target.state.versions()));
                }
                target.core.receive(new Message("c1", target.id, body), now, target.disk);
            }
            // Network: deliver what is due (5 % lost, the rest 1-60 ms late, out of order).
            for (InFlight flight : List.copyOf(network)) {
                if (flight.at() <= now) {
                    network.remove(flight);
                    Replica dest = nodes.get(flight.message().dest());
                    if (dest.up && (!faults || random.nextInt(20) != 0)) {
                        dest.core.receive(flight.message(), now, dest.disk);
                    }
                }
            }
            for (Replica node : nodes.values()) {
                if (!node.up) {
                    if (random.nextInt(200) == 0 || !faults) {
                        node.boot(node.disk.stored(), now);
                        if (!VersionVector.dominatedBy(node.shown, node.state.versions())) {
                            problems.add(node.id + " restarted without what its reads showed: " + node.shown
                                    + " > " + node.state.versions());
                        }
                    }
                    continue;
                }
                if (node.core.wakeAt() <= now) {
                    node.core.tick(now, node.disk);
                }
                if (random.nextInt(3) == 0 || !faults) {
                    node.disk.sync(); // group commit at random points
                }
                for (RecordingDisk.Out out : node.disk.drain()) {
                    if (out.request() == null) {
                        network.add(new InFlight(now + 1 + random.nextInt(60),
                                new Message(node.id, out.dest(), Wire.tree(out.body()))));
                    } else if (out.body() != null && out.body().type().equals("add_ok")) {
                        acknowledged.add(out.request().msgId());
                    } else if (out.body() != null && out.body().type().equals("read_ok")) {
                        VersionVector.mergeInto(node.shown, node.readVersions.get(out.request().msgId()));
                    }
                }
                if (faults && random.nextInt(400) == 0) {
                    node.disk.crash();
                    node.up = false;
                }
            }
        }
        // Final reads: every node equal, every acknowledged add in it.
        List<Object> finals = new ArrayList<>();
        for (String id : NODES) {
            JsonNode value = Wire.tree(nodes.get(id).state.readOk()).get("value");
            Set<String> elements = new HashSet<>(); // as text: 5 read back from disk is an int, not a long
            value.forEach(element -> elements.add(element.toString()));
            finals.add(gset ? elements : value);
        }
        if (!finals.stream().allMatch(finals.get(0)::equals)) {
            problems.add("final reads differ: " + NODES.stream().map(id -> id + "=" + nodes.get(id).state.versions()).toList());
        }
        if (gset) {
            Set<Long> held = new HashSet<>();
            ((Set<?>) finals.get(0)).forEach(element -> held.add(Long.parseLong((String) element)));
            for (long add : acknowledged) {
                if (!held.contains(add)) {
                    problems.add("acknowledged add " + add + " lost");
                }
            }
        } else {
            long low = acknowledged.stream().mapToLong(deltas::get).sum();
            long high = deltas.values().stream().mapToLong(Long::longValue).sum();
            long value = ((JsonNode) finals.get(0)).asLong();
            if (value < low || value > high) {
                problems.add("final count " + value + " outside [acknowledged " + low + ", invoked " + high + "]");
            }
        }
        return problems;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void gSetLosesNothingAcknowledgedNorAnythingShownAcrossCrashes(long seed) {
        assertThat(run(seed, true, true)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void pnCounterLosesNothingAcknowledgedNorAnythingShownAcrossCrashes(long seed) {
        assertThat(run(seed, false, true)).isEmpty();
    }

    @Test
    void theSameChecksCatchACoreWhoseWritesAreLost() {
        assertThat(run(1, true, false)).isNotEmpty();
        assertThat(run(1, false, false)).isNotEmpty();
    }

    @Test
    void theLogStaysBoundedBySnapshots() {
        RecordingDisk disk = RecordingDisk.keeping();
        PnCounterState state = new PnCounterState();
        CrdtCore core = new CrdtCore("n0", NODES, SETTINGS, state);
        core.start(0, disk);
        long maxBytes = 0;
        for (long i = 1; i <= 50_000; i++) {
            ObjectNode add = Wire.JSON.createObjectNode().put("type", "add").put("msg_id", i).put("delta", 3);
            core.receive(new Message("c1", "n0", add), i, disk);
            disk.sync();
            maxBytes = Math.max(maxBytes, disk.storedBytes());
        }
        assertThat(disk.drain()).hasSize(50_000);
        assertThat(maxBytes).as("bytes a restart reads, at most").isLessThan(2 * CrdtCore.MIN_LOG_BEFORE_SNAPSHOT);
        PnCounterState recovered = new PnCounterState();
        new CrdtCore("n0", NODES, SETTINGS, recovered).recover(disk.stored());
        assertThat(recovered.value()).isEqualTo(150_000);
        assertThat(recovered.versions()).isEqualTo(state.versions());
    }
}
