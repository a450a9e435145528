package dev.glomers.cluster.check;

import dev.glomers.workload.txn.MicroOp;
import java.util.List;

/**
 * One client transaction as the history records it: the client process that ran it, how it ended,
 * and its micro-ops: as completed (reads filled in) when it succeeded, as invoked otherwise.
 * A history lists operations in the order they were invoked.
 */
public record TxnOp(int process, Status status, List<MicroOp> txn) {

    public enum Status {
        /** The node answered txn_ok: it happened, with these reads. */
        OK,
        /** A definite error: it did not happen and never will. */
        FAIL,
        /** No answer or an indefinite error: it may or may not have happened. */
        INFO
    }

    public TxnOp {
        txn = List.copyOf(txn);
    }
}
