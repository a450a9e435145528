package dev.glomers.workload.linkv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.glomers.node.Body;
import dev.glomers.node.Effects;
import dev.glomers.node.ErrorCode;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.raft.StateMachine;
import java.util.HashMap;
import java.util.Map;

/**
 * The lin-kv key-value store as Raft replicates it: {@code read}, {@code write} and {@code cas} as the
 * workbench defines them. A read of a missing key fails with 20; a cas fails with 20 when the key is
 * missing and 22 when its value is not {@code from}. Those failures are results of applying the
 * command in log order, so they are as linearizable as the successes.
 */
public final class KvStateMachine implements StateMachine<KvStateMachine.Command, KvStateMachine.Result> {

    /** A client operation as a log entry carries it. */
    public sealed interface Command permits Read, Write, Cas {
    }

    public record Read(JsonNode key) implements Command {
    }

    public record Write(JsonNode key, JsonNode value) implements Command {
    }

    public record Cas(JsonNode key, JsonNode from, JsonNode to) implements Command {
    }

    /** What applying produced: a value read, done, or an error the store decided (20 or 22). */
    public sealed interface Result permits Value, Done, Refused {
    }

    public record Value(JsonNode value) implements Result {
    }

    public record Done() implements Result {
    }

    public record Refused(ErrorCode code, String text) implements Result {
    }

    record ReadOk(JsonNode value) implements Body {
        @Override
        public String type() {
            return "read_ok";
        }
    }

    private final Map<JsonNode, JsonNode> values = new HashMap<>();

    @Override
    public Command command(Message request) {
        JsonNode body = request.body();
        return switch (request.type()) {
            case "read" -> new Read(required(body, "key"));
            case "write" -> new Write(required(body, "key"), required(body, "value"));
            case "cas" -> new Cas(required(body, "key"), required(body, "from"), required(body, "to"));
            default -> throw RpcError.notSupported("lin-kv takes read, write and cas, not " + request.type());
        };
    }

    private static JsonNode required(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw RpcError.malformed(body.path("type").asText() + " needs " + field);
        }
        return value;
    }

    @Override
    public Result apply(Command command) {
        if (command instanceof Read read) {
            JsonNode value = values.get(read.key());
            return value != null ? new Value(value) : new Refused(ErrorCode.KEY_DOES_NOT_EXIST, "no key " + read.key());
        }
        if (command instanceof Write write) {
            values.put(write.key(), write.value());
            return new Done();
        }
        Cas cas = (Cas) command;
        JsonNode current = values.get(cas.key());
        if (current == null) {
            return new Refused(ErrorCode.KEY_DOES_NOT_EXIST, "no key " + cas.key());
        }
        if (!current.equals(cas.from())) {
            return new Refused(ErrorCode.PRECONDITION_FAILED, "expected " + cas.from() + ", found " + current);
        }
        values.put(cas.key(), cas.to());
        return new Done();
    }

    @Override
    public boolean readOnly(Command command) {
        return command instanceof Read;
    }

    /** A read: {@link #apply} changes nothing for it. */
    @Override
    public Result query(Command command) {
        return apply(command);
    }

    @Override
    public void answer(Message request, Result result, Effects out) {
        if (result instanceof Value value) {
            out.reply(request, new ReadOk(value.value()));
        } else if (result instanceof Refused refused) {
            out.fail(request, new RpcError(refused.code(), refused.text()));
        } else {
            out.reply(request, Body.of(request.type() + "_ok"));
        }
    }

    /** The store as {@code [[key, value], ...]}. */
    @Override
    public JsonNode snapshot() {
        ArrayNode pairs = Wire.JSON.createArrayNode();
        values.forEach((key, value) -> pairs.addArray().add(key).add(value));
        return pairs;
    }

    @Override
    public void restore(JsonNode snapshot) {
        values.clear();
        for (JsonNode pair : snapshot) {
            values.put(pair.get(0), pair.get(1));
        }
    }

    @Override
    public JsonNode encode(Command command) {
        ArrayNode encoded = Wire.JSON.createArrayNode();
        if (command instanceof Read read) {
            encoded.add("r").add(read.key());
        } else if (command instanceof Write write) {
            encoded.add("w").add(write.key()).add(write.value());
        } else {
            Cas cas = (Cas) command;
            encoded.add("cas").add(cas.key()).add(cas.from()).add(cas.to());
        }
        return encoded;
    }

    @Override
    public Command decode(JsonNode encoded) {
        return switch (encoded.path(0).asText()) {
            case "r" -> new Read(encoded.get(1));
            case "w" -> new Write(encoded.get(1), encoded.get(2));
            case "cas" -> new Cas(encoded.get(1), encoded.get(2), encoded.get(3));
            default -> throw new IllegalArgumentException("not a lin-kv command: " + encoded);
        };
    }
}
