package dev.glomers.kv;

import dev.glomers.node.ErrorCode;
import dev.glomers.node.RpcError;

/** Error 20: the key has never been written. */
public class KeyDoesNotExistException extends RpcError {
    public KeyDoesNotExistException(String text) {
        super(ErrorCode.KEY_DOES_NOT_EXIST, text);
    }
}
