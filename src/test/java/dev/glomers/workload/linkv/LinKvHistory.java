package dev.glomers.workload.linkv;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.CheckResult.Verdict;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.check.CasRegisterLinearizability;
import dev.glomers.cluster.check.CasRegisterLinearizability.KeyResult;
import dev.glomers.cluster.check.CasRegisterLinearizability.Kind;
import dev.glomers.cluster.check.CasRegisterLinearizability.RegisterOp;
import dev.glomers.node.Wire;
import dev.glomers.sim.SimulatedClients;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** The workbench's lin-kv client load (read, write, cas over a few keys, values 0-4) and its history per key. */
public final class LinKvHistory {

    private LinKvHistory() {
    }

    /** Half reads; of the rest one write for two cas, as the workbench mixes them. */
    public static ObjectNode nextRequest(Random random, int keys) {
        ObjectNode request = Wire.JSON.createObjectNode();
        int key = random.nextInt(keys);
        double roll = random.nextDouble();
        if (roll < 0.5) {
            request.put("type", "read").put("key", key);
        } else if (roll < 0.5 + 1.0 / 6) {
            request.put("type", "write").put("key", key).put("value", random.nextInt(5));
        } else {
            request.put("type", "cas").put("key", key).put("from", random.nextInt(5)).put("to", random.nextInt(5));
        }
        return request;
    }

    /** Counts of how calls ended. */
    record Tally(int ok, int failed, int unavailable, int indeterminate) {
        int total() {
            return ok + failed + unavailable + indeterminate;
        }
    }

    static Tally tally(List<SimulatedClients.Call> calls) {
        int ok = 0, failed = 0, unavailable = 0, info = 0;
        for (SimulatedClients.Call call : calls) {
            if (call.timedOut()) {
                info++;
            } else if (!"error".equals(call.reply().type())) {
                ok++;
            } else {
                int code = call.reply().body().path("code").asInt();
                if (code == 20 || code == 22) {
                    failed++;
                } else if (code == 11) {
                    unavailable++;
                } else {
                    info++;
                }
            }
        }
        return new Tally(ok, failed, unavailable, info);
    }

    /**
     * The calls per key as register operations for the runner's checker ({@link CasRegisterLinearizability}),
     * in the order of the load's event sequence. Refusals are kept as what they observed: error 20 as a read
     * of the missing key, error 22 as a refused cas; 11 definitely did not happen and is left out; 0 and 13
     * (and no answer) are indeterminate. Throws on an answer lin-kv never gives (another error, or a reply of
     * the wrong type).
     */
    static Map<Integer, List<RegisterOp>> byKey(List<SimulatedClients.Call> calls) {
        Map<Integer, List<RegisterOp>> histories = new TreeMap<>();
        for (SimulatedClients.Call call : calls) {
            ObjectNode request = call.request();
            String type = request.path("type").asText();
            Kind kind = switch (type) {
                case "read" -> Kind.READ;
                case "write" -> Kind.WRITE;
                case "cas" -> Kind.CAS;
                default -> throw new AssertionError("not a lin-kv request: " + request);
            };
            JsonNode value = kind == Kind.WRITE ? request.get("value") : null;
            long ret = call.completeSeq();
            if (call.timedOut()) {
                if (kind == Kind.READ) {
                    continue; // a read that never answered constrains nothing
                }
                ret = Long.MAX_VALUE;
            } else if ("error".equals(call.reply().type())) {
                int code = call.reply().body().path("code").asInt();
                switch (code) {
                    case 20 -> {
                        if (kind == Kind.WRITE) {
                            throw new AssertionError("error 20 to a write: " + call);
                        }
                        kind = Kind.READ; // the key was missing: value stays null
                    }
                    case 22 -> {
                        if (kind != Kind.CAS) {
                            throw new AssertionError("error 22 to a " + type + ": " + call);
                        }
                        kind = Kind.CAS_REFUSED;
                    }
                    case 11 -> {
                        continue; // definitely did not happen
                    }
                    case 0, 13 -> {
                        if (kind == Kind.READ) {
                            continue;
                        }
                        ret = Long.MAX_VALUE;
                    }
                    default -> throw new AssertionError("an answer lin-kv never gives: " + call.reply());
                }
            } else {
                if (!call.reply().type().equals(type + "_ok")) {
                    throw new AssertionError("wrong reply type: " + call);
                }
                if (kind == Kind.READ) {
                    value = call.reply().body().get("value");
                    if (value == null || value.isNull()) {
                        throw new AssertionError("read_ok without a value: " + call);
                    }
                }
            }
            boolean cas = kind == Kind.CAS || kind == Kind.CAS_REFUSED;
            histories.computeIfAbsent(request.path("key").asInt(), k -> new ArrayList<>())
                    .add(new RegisterOp((int) call.invokeSeq(), call.process(), kind, canonical(value),
                            canonical(cas ? request.get("from") : null), canonical(cas ? request.get("to") : null),
                            call.invokeSeq(), ret));
        }
        return histories;
    }

    /** Values compared as the checker compares them (ints and longs alike); null stays null (the key missing). */
    private static JsonNode canonical(JsonNode value) {
        return value == null ? null : Json.canonical(value);
    }

    /** Asserts that every key's history is linearizable, naming the seed and the checker's explanation otherwise. */
    static void assertLinearizable(List<SimulatedClients.Call> calls, long seed) {
        CasRegisterLinearizability checker = new CasRegisterLinearizability();
        byKey(calls).forEach((key, history) -> {
            KeyResult result = checker.checkKey(history);
            assertThat(result.verdict()).as("seed %d key %d: %s", seed, key, result.explanation()).isEqualTo(Verdict.VALID);
        });
    }
}
