package dev.glomers.workload;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Body;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.storage.Stored;
import java.util.ArrayList;
import java.util.List;

/**
 * The effects of one durable core, recorded the way the storage driver performs them, for core-level
 * crash tests: persisted records and snapshots wait for {@link #sync()}; every message asked for after
 * something unsynced waits with them (persist before send); {@link #crash()} keeps only what was synced,
 * as a disk does. Messages that left are in {@link #released()} in order, as wire messages.
 *
 * <p>{@code forgetful} makes a broken node, for showing a check can fail: its records never reach the disk.
 */
public final class CrashRecorder implements Effects {

    private record Pending(boolean snapshot, byte[] bytes) {
    }

    private final String self;
    private final boolean forgetful;
    private byte[] snapshot;
    private final List<byte[]> records = new ArrayList<>();
    private final List<Pending> unsynced = new ArrayList<>();
    private final List<Message> held = new ArrayList<>();
    private final List<Message> released = new ArrayList<>();
    private long lastMsgId;

    public CrashRecorder(String self, boolean forgetful) {
        this.self = self;
        this.forgetful = forgetful;
    }

    /** A restarted node's effects: the same disk, a new process (its msg_ids start again, as a new node's do). */
    public CrashRecorder restarted() {
        CrashRecorder next = new CrashRecorder(self, forgetful);
        next.snapshot = snapshot;
        next.records.addAll(records);
        return next;
    }

    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public void persist(byte[] record) {
        unsynced.add(new Pending(false, record.clone()));
    }

    @Override
    public void snapshot(byte[] state) {
        unsynced.add(new Pending(true, state.clone()));
    }

    /** One group commit: everything persisted so far reaches the disk, then what waited for it leaves. */
    public void sync() {
        for (Pending pending : unsynced) {
            if (forgetful) {
                continue;
            }
            if (pending.snapshot()) {
                snapshot = pending.bytes();
                records.clear();
            } else {
                records.add(pending.bytes());
            }
        }
        unsynced.clear();
        released.addAll(held);
        held.clear();
    }

    /** What a restart finds: only what was synced. Whatever was unsynced or held back is gone. */
    public Stored crash() {
        unsynced.clear();
        held.clear();
        return new Stored(snapshot, records);
    }

    /** Messages that left the node, oldest first; {@link #drain()} takes them. */
    public List<Message> released() {
        return released;
    }

    public List<Message> drain() {
        List<Message> out = List.copyOf(released);
        released.clear();
        return out;
    }

    public int recordsOnDisk() {
        return records.size();
    }

    public boolean hasSnapshot() {
        return snapshot != null;
    }

    @Override
    public void send(String dest, Body body) {
        emit(new Message(self, dest, Wire.tree(body)));
    }

    @Override
    public void reply(Message request, Body body) {
        emit(replyTo(request, Wire.tree(body)));
    }

    @Override
    public void fail(Message request, RpcError error) {
        emit(replyTo(request, Wire.tree(error.toBody())));
    }

    @Override
    public long request(String dest, Body body) {
        ObjectNode tree = Wire.tree(body);
        tree.put("msg_id", ++lastMsgId);
        emit(new Message(self, dest, tree));
        return lastMsgId;
    }

    private Message replyTo(Message request, ObjectNode tree) {
        tree.put("in_reply_to", request.msgId());
        return new Message(self, request.src(), tree);
    }

    private void emit(Message message) {
        if (unsynced.isEmpty() && held.isEmpty()) {
            released.add(message);
        } else {
            held.add(message);
        }
    }
}
