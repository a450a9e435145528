package dev.glomers.cluster.fakes;

/**
 * Once initialised, sends {@code tick {n, pid, data_dir}} to {@code watcher} every 5 ms: who it is (its
 * process), how far it got, and the data directory it was given. For the kill fault's tests.
 */
public final class TickerNode extends FakeNode {

    private long ticks;

    TickerNode() {
        every(5, () -> {
            if (nodeId == null) {
                return;
            }
            var tick = body("tick");
            tick.put("n", ++ticks);
            tick.put("pid", ProcessHandle.current().pid());
            tick.put("data_dir", String.valueOf(System.getenv("GLOMERS_DATA_DIR")));
            send("watcher", tick);
        });
    }

    public static void main(String[] args) throws Exception {
        new TickerNode().run();
    }
}
