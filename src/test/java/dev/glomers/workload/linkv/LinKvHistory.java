package dev.glomers.workload.linkv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Wire;
import dev.glomers.sim.ClientLoad;
import dev.glomers.workload.linkv.CasRegisterChecker.Kind;
import dev.glomers.workload.linkv.CasRegisterChecker.Op;
import dev.glomers.workload.linkv.CasRegisterChecker.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** The workbench's lin-kv client load (read, write, cas over a few keys, values 0-4) and its history per key. */
final class LinKvHistory {

    private LinKvHistory() {
    }

    /** Half reads; of the rest one write for two cas, as the workbench mixes them. */
    static ObjectNode nextRequest(Random random, int keys) {
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

    static Tally tally(List<ClientLoad.Call> calls) {
        int ok = 0, failed = 0, unavailable = 0, info = 0;
        for (ClientLoad.Call call : calls) {
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
     * The calls per key as register operations. Throws on an answer lin-kv never gives (a definite
     * error other than 11, 20 and 22, or a reply of the wrong type).
     */
    static Map<Integer, List<Op>> byKey(List<ClientLoad.Call> calls) {
        Map<Integer, List<Op>> histories = new TreeMap<>();
        for (ClientLoad.Call call : calls) {
            ObjectNode request = call.request();
            String type = request.path("type").asText();
            Kind kind = switch (type) {
                case "read" -> Kind.READ;
                case "write" -> Kind.WRITE;
                default -> Kind.CAS;
            };
            Integer value = null;
            Integer from = null;
            if (kind == Kind.WRITE) {
                value = request.path("value").asInt();
            } else if (kind == Kind.CAS) {
                value = request.path("to").asInt();
                from = request.path("from").asInt();
            }
            Outcome outcome;
            long complete = call.completeSeq();
            if (call.timedOut()) {
                outcome = Outcome.INFO;
                complete = Long.MAX_VALUE;
            } else if ("error".equals(call.reply().type())) {
                int code = call.reply().body().path("code").asInt();
                switch (code) {
                    case 20 -> outcome = Outcome.MISSING;
                    case 22 -> {
                        if (kind != Kind.CAS) {
                            throw new AssertionError("error 22 to a " + type + ": " + call);
                        }
                        outcome = Outcome.MISMATCH;
                    }
                    case 11 -> {
                        continue; // definitely did not happen
                    }
                    case 0, 13 -> {
                        outcome = Outcome.INFO;
                        complete = Long.MAX_VALUE;
                    }
                    default -> throw new AssertionError("an answer lin-kv never gives: " + call.reply());
                }
            } else {
                if (!call.reply().type().equals(type + "_ok")) {
                    throw new AssertionError("wrong reply type: " + call);
                }
                outcome = Outcome.OK;
                if (kind == Kind.READ) {
                    JsonNode read = call.reply().body().get("value");
                    value = read == null || read.isNull() ? null : read.asInt();
                }
            }
            histories.computeIfAbsent(request.path("key").asInt(), k -> new ArrayList<>())
                    .add(new Op(kind, value, from, outcome, call.invokeSeq(), complete));
        }
        return histories;
    }
}
