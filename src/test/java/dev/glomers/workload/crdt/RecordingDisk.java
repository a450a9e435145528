package dev.glomers.workload.crdt;

import dev.glomers.node.Body;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.storage.Stored;
import java.util.ArrayList;
import java.util.List;

/**
 * The effects of one durable core, with the persist-before-send rule and a disk that keeps only what was
 * synced, for core-level crash tests: a message asked for after an unsynced persist or snapshot is held
 * until {@link #sync}; {@link #crash} loses whatever is not synced (held messages included) and returns
 * what a restarted core recovers. {@link #forgetful()} is the broken variant (the core's persists dropped,
 * nothing held), so a test can show that its check catches a core that does not persist.
 */
public final class RecordingDisk implements Effects {

    /** A message that left the node: a send, a request (with its msg_id), or the answer to {@code request}. */
    public record Out(String dest, Message request, Body body, RpcError error, long msgId) {
    }

    private final boolean keepsWrites;
    private byte[] syncedSnapshot;
    private final List<byte[]> syncedRecords = new ArrayList<>();
    private byte[] pendingSnapshot;
    private final List<byte[]> pendingRecords = new ArrayList<>();
    private boolean snapshotPending;
    private boolean dirty;
    private final List<Out> held = new ArrayList<>();
    private final List<Out> left = new ArrayList<>();
    private long lastMsgId;
    private int syncs;

    private RecordingDisk(boolean keepsWrites) {
        this.keepsWrites = keepsWrites;
    }

    public static RecordingDisk keeping() {
        return new RecordingDisk(true);
    }

    public static RecordingDisk forgetful() {
        return new RecordingDisk(false);
    }

    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public void persist(byte[] record) {
        if (keepsWrites) {
            pendingRecords.add(record.clone());
            dirty = true;
        }
    }

    @Override
    public void snapshot(byte[] state) {
        if (keepsWrites) {
            pendingSnapshot = state.clone();
            pendingRecords.clear(); // replaced by the snapshot; the synced ones only once it is synced
            snapshotPending = true;
            dirty = true;
        }
    }

    @Override
    public void send(String dest, Body body) {
        out(new Out(dest, null, body, null, 0));
    }

    @Override
    public void reply(Message request, Body body) {
        out(new Out(request.src(), request, body, null, 0));
    }

    @Override
    public void fail(Message request, RpcError error) {
        out(new Out(request.src(), request, null, error, 0));
    }

    @Override
    public long request(String dest, Body body) {
        long msgId = ++lastMsgId;
        out(new Out(dest, null, body, null, msgId));
        return msgId;
    }

    private void out(Out message) {
        (dirty ? held : left).add(message);
    }

    /** One group commit: every write so far becomes durable, then the held messages leave, in order. */
    public void sync() {
        if (!dirty) {
            return;
        }
        syncs++;
        if (snapshotPending) {
            syncedSnapshot = pendingSnapshot;
            syncedRecords.clear();
            snapshotPending = false;
        }
        syncedRecords.addAll(pendingRecords);
        pendingRecords.clear();
        dirty = false;
        left.addAll(held);
        held.clear();
    }

    /** The messages that left since the last call. */
    public List<Out> drain() {
        List<Out> out = List.copyOf(left);
        left.clear();
        return out;
    }

    /** How many syncs were needed so far. */
    public int syncs() {
        return syncs;
    }

    /** The node dies: unsynced writes and held messages are gone; returns what a restart recovers. */
    public Stored crash() {
        held.clear();
        pendingRecords.clear();
        dirty = false;
        snapshotPending = false;
        return stored();
    }

    /** What is durable right now (an empty store recovers nothing: the driver then calls no recover). */
    public Stored stored() {
        return new Stored(syncedSnapshot, syncedRecords);
    }

    /** Bytes a restart would read: the durable snapshot and records (to check the log stays bounded). */
    public long storedBytes() {
        long bytes = syncedSnapshot == null ? 0 : syncedSnapshot.length;
        for (byte[] record : syncedRecords) {
            bytes += record.length;
        }
        return bytes;
    }
}
