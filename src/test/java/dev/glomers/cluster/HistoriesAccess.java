package dev.glomers.cluster;

/** Exposes {@link Histories} to checker tests in other packages. */
public final class HistoriesAccess {

    private final Histories h = new Histories();

    public History history() {
        return h.history;
    }

    public Op invoke(int process, String f, Object value, long millis) {
        return h.invoke(process, f, value, millis);
    }

    public Op invokeFinal(int process, String f, long millis) {
        return h.invokeFinal(process, f, millis);
    }

    public Op ok(Op invocation, Object value, long millis) {
        return h.ok(invocation, value, millis);
    }

    public Op info(Op invocation, long millis) {
        return h.info(invocation, millis);
    }

    public Op fail(Op invocation, long millis) {
        return h.fail(invocation, millis);
    }

    public Op okOp(int process, String f, Object value, Object result, long millis) {
        return h.okOp(process, f, value, result, millis);
    }
}
