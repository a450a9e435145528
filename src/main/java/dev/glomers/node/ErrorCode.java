package dev.glomers.node;

/**
 * The workbench's error codes. A definite error promises the operation did not happen and never
 * will; an indefinite one (timeout, crash) promises nothing, so it is the only safe answer when unsure.
 */
public enum ErrorCode {
    TIMEOUT(0, false),
    NODE_NOT_FOUND(1, true),
    NOT_SUPPORTED(10, true),
    TEMPORARILY_UNAVAILABLE(11, true),
    MALFORMED_REQUEST(12, true),
    CRASH(13, false),
    ABORT(14, true),
    KEY_DOES_NOT_EXIST(20, true),
    KEY_ALREADY_EXISTS(21, true),
    PRECONDITION_FAILED(22, true),
    TXN_CONFLICT(30, true);

    private final int code;
    private final boolean definite;

    ErrorCode(int code, boolean definite) {
        this.code = code;
        this.definite = definite;
    }

    public int code() {
        return code;
    }

    public boolean definite() {
        return definite;
    }

    /** The named code for a number; unknown numbers read as a crash, which promises nothing. */
    public static ErrorCode of(int code) {
        for (ErrorCode known : values()) {
            if (known.code == code) {
                return known;
            }
        }
        return CRASH;
    }
}
