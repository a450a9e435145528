package dev.glomers.sim;

import dev.glomers.node.Body;
import dev.glomers.node.Core;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.storage.Stored;
import java.nio.ByteBuffer;

/**
 * A toy durable core, the smallest example of the durability contract: a counter per node that answers
 * {@code add} only once the add is persisted (the driver holds the {@code add_ok} until the sync), snapshots
 * its value every {@code snapshotEvery} adds so its log stays bounded, and rebuilds itself in
 * {@link #recover}. With {@code persists == false} it is the deliberately broken variant (it keeps its value
 * in memory only), which a crash test must catch.
 */
public final class DurableCounterCore implements Core {

    record AddOk() implements Body {
        public String type() {
            return "add_ok";
        }
    }

    record ReadOk(long value) implements Body {
        public String type() {
            return "read_ok";
        }
    }

    private final boolean persists;
    private final int snapshotEvery;
    private long value;
    private long addsSinceSnapshot;

    public DurableCounterCore(boolean persists, int snapshotEvery) {
        this.persists = persists;
        this.snapshotEvery = snapshotEvery;
    }

    @Override
    public void recover(Stored stored) {
        value = stored.snapshot() == null ? 0 : ByteBuffer.wrap(stored.snapshot()).getLong();
        for (byte[] record : stored.records()) {
            value += ByteBuffer.wrap(record).getLong();
        }
        addsSinceSnapshot = stored.records().size();
    }

    @Override
    public void receive(Message message, long now, Effects out) {
        switch (message.type()) {
            case "add" -> {
                long delta = message.body().path("delta").asLong();
                value += delta;
                if (persists && out.durable()) {
                    if (++addsSinceSnapshot >= snapshotEvery) {
                        out.snapshot(ByteBuffer.allocate(8).putLong(value).array());
                        addsSinceSnapshot = 0;
                    } else {
                        out.persist(ByteBuffer.allocate(8).putLong(delta).array());
                    }
                }
                out.reply(message, new AddOk());
            }
            case "read" -> out.reply(message, new ReadOk(value));
            default -> throw RpcError.notSupported(message.type());
        }
    }
}
