package dev.glomers.workload.crdt;

import java.util.HashMap;
import java.util.Map;

/**
 * Who needs to hear from us, without acknowledgement messages: the bookkeeping of anti-entropy
 * gossip for one node, pure (no clock, no I/O). Time is counted in gossip ticks, which
 * {@link CrdtCore} derives from the time it is given ({@link #advanceTo}).
 *
 * <p>Every gossip message carries the sender's version vector and what the sender believes the
 * receiver has. From peer p's messages we learn what p has ({@code has(p)}); we send to p while our
 * state holds something p lacks. Those messages need an answer, or the sender would repeat them
 * forever: a message whose sender believes we lack part of its state means the sender will keep
 * sending until it hears from us, so we owe it one message, even if we have nothing new for it.
 * Under load both sides have news each tick, and each message is also the other side's answer.
 * A partition only delays things: nothing is marked as delivered until the peer says so, so
 * sending resumes, with everything still missing, once the peer is reachable again.
 */
public final class PeerKnowledge {

    private final Map<String, Peer> peers = new HashMap<>();
    private final int resendTicks;
    private long tick;

    private static final class Peer {
        final Map<String, Long> has = new HashMap<>();
        boolean owed;
        Map<String, Long> lastSent;
        long lastSentTick = Long.MIN_VALUE / 2;
        /** Messages sent since the peer was last heard from. */
        int unanswered;
    }

    /** Sends without an answer before we assume the peer is cut off and back off. */
    private static final int SILENCE_BEFORE_BACKOFF = 3;
    /** The longest wait between sends to a silent peer is {@code resendTicks << MAX_BACKOFF_SHIFT} ticks. */
    private static final int MAX_BACKOFF_SHIFT = 2;

    /**
     * @param resendTicks how many ticks to wait for an answer before sending the same versions again; a
     *                    message with news (versions not sent before) goes out at the next tick, unless the
     *                    peer has not answered several messages: then the wait doubles up to 4 times this
     */
    public PeerKnowledge(Iterable<String> peerIds, int resendTicks) {
        for (String peer : peerIds) {
            peers.put(peer, new Peer());
        }
        this.resendTicks = Math.max(1, resendTicks);
    }

    /** Tick number {@code tick} has come (ticks only go forward; idle ticks may be skipped). */
    public void advanceTo(long tick) {
        this.tick = Math.max(this.tick, tick);
    }

    /** What we know {@code peer} has: its versions, as its own messages told us. */
    public Map<String, Long> has(String peer) {
        return peer(peer).has;
    }

    /**
     * A gossip message from {@code peer}: its versions after its own merge, and what it believed we
     * had. Call after merging its delta into our state.
     */
    public void received(String peer, Map<String, Long> senderVersions, Map<String, Long> senderBelievesWeHave) {
        Peer known = peer(peer);
        known.unanswered = 0;
        VersionVector.mergeInto(known.has, senderVersions);
        if (!VersionVector.dominatedBy(senderVersions, senderBelievesWeHave)) {
            // The sender will repeat until it hears we have its state. A message of ours that covers
            // it and left this tick or the last one is probably crossing this one: let it answer.
            // If it was lost, the sender repeats later and by then this exception no longer applies.
            boolean answerInFlight = known.lastSent != null && tick - known.lastSentTick <= 1
                    && VersionVector.dominatedBy(senderVersions, known.lastSent);
            known.owed |= !answerInFlight;
        }
    }

    /** Whether to send to {@code peer} at this tick, given our versions now. */
    public boolean shouldSend(String peer, Map<String, Long> ours) {
        return nextSendTick(peer, ours) <= tick;
    }

    /**
     * The first tick at which {@code peer} is due a message, given our versions now (a tick not after
     * the current one: at once); {@link Long#MAX_VALUE} when it needs none.
     */
    public long nextSendTick(String peer, Map<String, Long> ours) {
        Peer known = peer(peer);
        if (known.owed) {
            return tick;
        }
        if (VersionVector.dominatedBy(ours, known.has)) {
            return Long.MAX_VALUE;
        }
        boolean news = known.lastSent == null || !ours.equals(known.lastSent);
        long wait = news ? 1 : resendTicks;
        if (known.unanswered >= SILENCE_BEFORE_BACKOFF) {
            // Probably a partition: keep trying, news or not, but less and less often.
            int shift = Math.min(known.unanswered - SILENCE_BEFORE_BACKOFF + 1, MAX_BACKOFF_SHIFT);
            wait = Math.max(wait, (long) resendTicks << shift);
        }
        return known.lastSentTick + wait;
    }

    /** We sent {@code peer} everything beyond {@link #has}, tagged with {@code ours}. */
    public void sent(String peer, Map<String, Long> ours) {
        Peer known = peer(peer);
        known.unanswered++;
        known.owed = false;
        known.lastSent = Map.copyOf(ours);
        known.lastSentTick = tick;
    }

    private Peer peer(String peer) {
        Peer known = peers.get(peer);
        if (known == null) {
            throw new IllegalArgumentException("not a peer: " + peer);
        }
        return known;
    }
}
