package dev.glomers.workload.counter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.Services;
import dev.glomers.kv.KvWire;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.workload.crdt.RecordingDisk;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Durable g-counter cores on the runner's own seq-kv (stale reads included), with lost and late messages,
 * crashed at random points with a disk that keeps only what was synced, restarted later: no acknowledged add
 * is lost, none lands twice (no batch stamp is ever applied twice to a key, across restarts too), every read
 * is at least what was acknowledged before it (the bound's age earlier, when frugal), final reads are exact.
 * A disk that drops the stamp reservations makes the same checks fail.
 */
class GCounterDurabilityTest {

    private static final List<String> NODES = List.of("n0", "n1", "n2");

    private static Retry policy(String name, int attempts, long maxWaitMillis, Set<Integer> codes) {
        return Retry.of(name, RetryConfig.custom()
                .maxAttempts(attempts)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(5), 2, Duration.ofMillis(maxWaitMillis)))
                .retryOnException(failure -> failure instanceof RpcError error && codes.contains(error.code()))
                .failAfterMaxAttempts(false)
                .build());
    }

    private static final class Replica {
        final String id;
        final RecordingDisk disk;
        final GCounterCore.Timing timing;
        GCounterCore core;
        boolean up;

        Replica(String id, RecordingDisk disk, GCounterCore.Timing timing) {
            this.id = id;
            this.disk = disk;
            this.timing = timing;
            boot(0);
        }

        void boot(long now) {
            core = new GCounterCore(id, NODES, timing, policy("counter-flush", 12, 400, Set.of(0, 20, 22)),
                    policy("counter-read", 4, 100, Set.of(0)));
            if (!disk.stored().isEmpty()) {
                core.recover(disk.stored());
            }
            core.start(now, disk);
            up = true;
        }
    }

    private record InFlight(long at, String src, String dest, ObjectNode body) {
    }

    private record Read(long arrivedAt, long ackedBefore) {
    }

    /** What a run found wrong (empty when nothing). */
    static List<String> run(long seed, long staleness, boolean keepWrites) {
        Random random = new Random(seed);
        List<String> problems = new ArrayList<>();
        GCounterCore.Timing timing = new GCounterCore.Timing(120, 4000, staleness);
        Map<String, Replica> nodes = new HashMap<>();
        for (String id : NODES) {
            nodes.put(id, new Replica(id, keepWrites ? RecordingDisk.keeping() : RecordingDisk.forgetful(), timing));
        }
        Services.Service seqKv = Services.create("seq-kv", new Random(random.nextLong()));
        List<InFlight> network = new ArrayList<>();
        Map<Long, Long> deltas = new HashMap<>();
        Map<Long, Read> reads = new HashMap<>();
        long acked = 0;
        long invoked = 0;
        Map<String, Set<Long>> appliedStamps = new HashMap<>();
        List<Long> finals = new ArrayList<>();
        int crashes = 0;
        int readsAnswered = 0;
        int failed = 0;
        long nextMsgId = 1;
        long end = 20_000;
        for (long now = 0; now < end + 20_000; now += 5) {
            boolean faults = now < end;
            Replica target = nodes.get(NODES.get(random.nextInt(NODES.size())));
            if (faults && target.up && random.nextInt(4) == 0) {
                long msgId = nextMsgId++;
                ObjectNode body = Wire.JSON.createObjectNode().put("msg_id", msgId);
                if (random.nextBoolean()) {
                    long delta = 1 + random.nextInt(5);
                    body.put("type", "add").put("delta", delta);
                    deltas.put(msgId, delta);
                    invoked += delta;
                } else {
                    body.put("type", "read");
                    reads.put(msgId, new Read(now, acked));
                }
                target.core.receive(new Message("c1", target.id, body), now, target.disk);
            }
            for (InFlight flight : List.copyOf(network)) {
                if (flight.at() > now) {
                    continue;
                }
                network.remove(flight);
                boolean lost = faults && random.nextInt(25) == 0;
                if (flight.dest().equals(KvWire.SEQ_KV)) {
                    if (lost) {
                        continue;
                    }
                    ObjectNode reply = seqKv.handle(flight.src(), flight.body());
                    reply.put("in_reply_to", flight.body().path("msg_id").asLong());
                    if ("cas_ok".equals(reply.path("type").asText())) {
                        long stamp = flight.body().path("to").path("batch").asLong();
                        if (!appliedStamps.computeIfAbsent(flight.src(), key -> new HashSet<>()).add(stamp)) {
                            problems.add(flight.src() + "'s stamp " + stamp + " applied twice");
                        }
                    }
                    network.add(new InFlight(now + 1 + random.nextInt(faults ? 80 : 20), KvWire.SEQ_KV, flight.src(), reply));
                } else {
                    Replica dest = nodes.get(flight.dest());
                    if (dest.up && !lost) {
                        dest.core.receive(new Message(flight.src(), dest.id, flight.body()), now, dest.disk);
                    }
                }
            }
            for (Replica node : nodes.values()) {
                if (!node.up) {
                    if (random.nextInt(100) == 0 || !faults) {
                        node.boot(now);
                    }
                    continue;
                }
                if (node.core.wakeAt() <= now) {
                    node.core.tick(now, node.disk);
                }
                if (random.nextInt(3) == 0 || !faults) {
                    node.disk.sync();
                }
                for (RecordingDisk.Out out : node.disk.drain()) {
                    if (out.request() == null) {
                        ObjectNode body = Wire.tree(out.body()).put("msg_id", out.msgId());
                        network.add(new InFlight(now + 1 + random.nextInt(faults ? 80 : 20), node.id, out.dest(), body));
                        continue;
                    }
                    long msgId = out.request().msgId();
                    if (out.error() != null) {
                        failed++;
                    }
                    if (out.body() != null && out.body().type().equals("add_ok")) {
                        acked += deltas.get(msgId);
                    } else if (out.body() instanceof CounterMessages.ReadOk ok) {
                        Read read = reads.get(msgId);
                        if (read.arrivedAt() < 0) { // a final read
                            finals.add(ok.value());
                            continue;
                        }
                        readsAnswered++;
                        // Strict: every add acknowledged before the read arrived. Frugal: before the bound.
                        long floor = staleness == 0 ? read.ackedBefore() : -1;
                        if (ok.value() < floor || ok.value() > invoked) {
                            problems.add(node.id + " read " + ok.value() + " at " + read.arrivedAt() + ", acknowledged before: "
                                    + read.ackedBefore() + ", invoked by the answer: " + invoked);
                        }
                    }
                }
                if (faults && random.nextInt(300) == 0) {
                    node.disk.crash();
                    node.up = false;
                    crashes++;
                }
            }
            if (now == end + 15_000) {
                for (Replica node : nodes.values()) {
                    long msgId = nextMsgId++;
                    reads.put(msgId, new Read(-1, acked));
                    node.core.receive(new Message("c1", node.id,
                            Wire.JSON.createObjectNode().put("type", "read").put("msg_id", msgId)), now, node.disk);
                }
            }
        }
        long low = acked;
        long high = invoked;
        if (finals.size() != NODES.size() || finals.stream().anyMatch(value -> value < low || value > high)
                || finals.stream().distinct().count() != 1) {
            problems.add("final reads " + finals + " not one value in [acknowledged " + acked + ", invoked " + invoked + "]");
        }
        if (crashes < 5 || readsAnswered < 100 || acked == 0) {
            problems.add("a run too tame to show anything: " + crashes + " crashes, " + readsAnswered + " reads answered, " + failed + " failed of " + reads.size());
        }
        return problems;
    }

    @ParameterizedTest
    @CsvSource({"1,0", "2,0", "3,0", "4,0", "5,0", "6,500", "7,500", "8,500"})
    void noAcknowledgedAddIsLostNorLandsTwiceAcrossCrashes(long seed, long staleness) {
        assertThat(run(seed, staleness, true)).isEmpty();
    }

    @Test
    void theSameChecksCatchANodeThatForgetsItsStampReservations() {
        assertThat(run(1, 0, false)).anyMatch(problem -> problem.contains("applied twice"));
    }
}
