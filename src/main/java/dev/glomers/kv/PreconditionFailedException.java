package dev.glomers.kv;

import dev.glomers.node.ErrorCode;
import dev.glomers.node.RpcError;

/** Error 22: a compare-and-set found another value than the one it expected. */
public class PreconditionFailedException extends RpcError {
    public PreconditionFailedException(String text) {
        super(ErrorCode.PRECONDITION_FAILED, text);
    }
}
