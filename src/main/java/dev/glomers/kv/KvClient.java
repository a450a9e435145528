package dev.glomers.kv;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glomers.node.Body;
import dev.glomers.node.ErrorCode;
import dev.glomers.node.Node;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A client of one of the workbench's key-value services ({@link KvWire}: {@code seq-kv}, {@code lin-kv},
 * {@code lww-kv}). Keys and values are any JSON value. Every call has a timeout: the workbench
 * never reports a lost message. Errors 20 and 22 arrive as their own exception types.
 */
public final class KvClient {

    private final Node node;
    private final String service;
    private final Duration timeout;

    public KvClient(Node node, String service, Duration timeout) {
        this.node = node;
        this.service = service;
        this.timeout = timeout;
    }

    public String service() {
        return service;
    }

    /** The value under {@code key}; fails with {@link KeyDoesNotExistException} when there is none. */
    public CompletableFuture<JsonNode> read(Object key) {
        return call(new KvWire.Read(key), ReadOk.class).thenApply(ReadOk::value);
    }

    /** The value under {@code key} read as {@code type}. */
    public <T> CompletableFuture<T> read(Object key, Class<T> type) {
        return read(key).thenApply(value -> Wire.JSON.convertValue(value, type));
    }

    public CompletableFuture<Void> write(Object key, Object value) {
        return call(new KvWire.Write(key, value), JsonNode.class).thenApply(ok -> null);
    }

    /**
     * Sets {@code key} to {@code to} if it holds {@code from}; fails with
     * {@link PreconditionFailedException} when it holds something else, and with
     * {@link KeyDoesNotExistException} when it is missing and {@code createIfMissing} is false.
     * One attempt only: another attempt needs a fresh read and a new {@code from}, which only the caller
     * can work out, so each caller retries under its own policy (e.g. {@code kafka-commit}).
     */
    public CompletableFuture<Void> compareAndSet(Object key, Object from, Object to, boolean createIfMissing) {
        return call(new KvWire.Cas(key, from, to, createIfMissing), JsonNode.class).thenApply(ok -> null);
    }

    private <R> CompletableFuture<R> call(Body request, Class<R> replyType) {
        return node.rpc(service, request, replyType, timeout).exceptionallyCompose(failure -> {
            throw new CompletionException(typed(RpcError.unwrap(failure)));
        });
    }

    private static Throwable typed(Throwable failure) {
        if (failure instanceof RpcError error && !(failure instanceof KeyDoesNotExistException)
                && !(failure instanceof PreconditionFailedException)) {
            if (error.is(ErrorCode.KEY_DOES_NOT_EXIST)) {
                return new KeyDoesNotExistException(error.text());
            }
            if (error.is(ErrorCode.PRECONDITION_FAILED)) {
                return new PreconditionFailedException(error.text());
            }
        }
        return failure;
    }

    private record ReadOk(JsonNode value) {
    }
}
