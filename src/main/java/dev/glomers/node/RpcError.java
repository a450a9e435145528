package dev.glomers.node;

/**
 * An error as the protocol carries it. Thrown by a handler (or failing the future it replies with),
 * it becomes an {@code error} reply by itself; an {@code error} reply to one of our RPCs fails the
 * RPC's future with it.
 */
public class RpcError extends RuntimeException {

    private final int code;

    public RpcError(int code, String text) {
        super(text, null, false, false);
        this.code = code;
    }

    public RpcError(ErrorCode code, String text) {
        this(code.code(), text);
    }

    /** The numeric code as sent on the wire; unknown codes are kept as they came. */
    public int code() {
        return code;
    }

    public ErrorCode errorCode() {
        return ErrorCode.of(code);
    }

    public boolean is(ErrorCode expected) {
        return code == expected.code();
    }

    public String text() {
        return getMessage();
    }

    public static RpcError timeout(String text) {
        return new RpcError(ErrorCode.TIMEOUT, text);
    }

    public static RpcError notSupported(String text) {
        return new RpcError(ErrorCode.NOT_SUPPORTED, text);
    }

    public static RpcError malformed(String text) {
        return new RpcError(ErrorCode.MALFORMED_REQUEST, text);
    }

    public static RpcError unavailable(String text) {
        return new RpcError(ErrorCode.TEMPORARILY_UNAVAILABLE, text);
    }

    public static RpcError crash(String text) {
        return new RpcError(ErrorCode.CRASH, text);
    }

    /** What a failed future really failed with: the cause inside completion and execution wrappers. */
    public static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof java.util.concurrent.CompletionException
                || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** The wire form: {@code {"type":"error","code":C,"text":"..."}}. */
    public Body toBody() {
        return new ErrorBody(code, getMessage());
    }

    public record ErrorBody(int code, String text) implements Body {
        @Override
        public String type() {
            return "error";
        }
    }
}
