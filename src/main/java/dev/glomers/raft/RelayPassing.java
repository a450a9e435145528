package dev.glomers.raft;

import dev.glomers.node.Effects;
import dev.glomers.raft.RaftMessages.Relay;

/**
 * Relays this node passes on for others (see {@link Links} for why messages go around): a peer's update for
 * our leader waits for ours so both go in one message (on a three-node ring going in laps it goes on at once,
 * {@link Links#lapping}), and with three nodes ours rides along with what we pass. Apart from {@link RaftCore}
 * because it only decides when what goes; the caller says which leader this node follows ({@code null} when it
 * does not follow one: no leader known, or not a follower).
 */
final class RelayPassing<C> {

    private final Links links;
    private final FollowerChannel<C> channel;
    private final RaftProperties settings;
    private final int peerCount;

    RelayPassing(Links links, FollowerChannel<C> channel, RaftProperties settings, int peerCount) {
        this.links = links;
        this.channel = channel;
        this.settings = settings;
        this.peerCount = peerCount;
    }

    /** A relay addressed to another member: passed on, held for our own update, or joined by it. */
    void pass(Relay relay, String followedLeader, long term, long now, Effects out) {
        if (!links.isMember(relay.to())) {
            return;
        }
        long window = links.window(settings.forwardWindow(), now);
        boolean lapping = links.lapping(now);
        if (RaftMessages.UPDATE.equals(relay.msg().path("type").asText()) && relay.to().equals(followedLeader)
                && !channel.goesAround() && window > 0 && !lapping) {
            // A peer's update for our leader: it waits for ours, due at the end of our window, and both go in
            // one message (a peer whose updates go around times them for this, see FollowerChannel.forwardAt).
            links.hold(relay, Links.windowEnd(now + 1, window)); // ours just went if a window ends now
            return;
        }
        out.send(relay.to(), relay);
        boolean ours = channel.goesAround() ? !relay.to().equals(followedLeader) : lapping && relay.to().equals(followedLeader);
        if (followedLeader != null && peerCount == 2 && ours && channel.hasSomethingToSay()) {
            // Three nodes, and our updates go where we pass this (through that peer, or to the leader itself while
            // a lap passes): ours rides along.
            channel.send(term, followedLeader, now, out);
        }
    }

    /** The held peers' updates go to the leader, with our own update if we have anything to say. */
    void passHeld(String followedLeader, long term, long now, Effects out) {
        if (followedLeader != null && !channel.goesAround() && channel.hasSomethingToSay()) {
            channel.send(term, followedLeader, now, out); // it passes the held ones on too
            return;
        }
        links.flushHeld(out);
    }
}
