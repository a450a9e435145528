package dev.glomers.raft;

import dev.glomers.node.Body;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.raft.RaftMessages.Bundle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The effects of one step (a message taken, a tick): sends to the same peer are collected and go out
 * together when the step ends, as one {@link Bundle} when there are several. Answers to clients and
 * durable writes go through at once, so every write of a step comes before the step's sends. A step that
 * sends a member anything is a lap passing this node ({@link Links#lapping}).
 */
final class Outbox implements Effects {
    private final Effects out;
    private final Links links;
    private final long now;
    private final Map<String, List<Body>> byPeer = new LinkedHashMap<>();

    Outbox(Effects out, Links links, long now) {
        this.out = out;
        this.links = links;
        this.now = now;
    }

    @Override
    public void send(String dest, Body body) {
        byPeer.computeIfAbsent(dest, d -> new ArrayList<>()).add(body);
    }

    @Override
    public void reply(Message request, Body body) {
        out.reply(request, body);
    }

    @Override
    public void fail(Message request, RpcError error) {
        out.fail(request, error);
    }

    @Override
    public long request(String dest, Body body) {
        return out.request(dest, body);
    }

    @Override
    public boolean durable() {
        return out.durable();
    }

    @Override
    public void persist(byte[] record) {
        out.persist(record);
    }

    @Override
    public void snapshot(byte[] state) {
        out.snapshot(state);
    }

    void flush() {
        if (byPeer.keySet().stream().anyMatch(links::isMember)) {
            links.sentToMembers(now);
        }
        byPeer.forEach((peer, bodies) -> {
            if (bodies.size() == 1) {
                out.send(peer, bodies.get(0));
            } else {
                out.send(peer, new Bundle(bodies.stream().map(Wire::tree).toList()));
            }
        });
        byPeer.clear();
    }
}
