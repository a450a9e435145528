package dev.glomers.delivery;

import java.util.List;

/**
 * What a parcel from a peer changed.
 *
 * @param fresh         per log of the sender: the entries to apply now, in seq order, each exactly once within
 *                      one incarnation of each side (duplicates and resends are left out; an entry that came
 *                      before a gap is held back until the gap fills). After either side restarted, entries
 *                      the receiving core had applied may come again: applying must be idempotent.
 * @param ackProgress   whether the parcel acknowledged something of ours not acknowledged before
 * @param peerRestarted whether the parcel showed the sender in a new incarnation: it lost what it had not
 *                      persisted, and numbers its logs from 1 again (the caller may re-offer it state)
 */
public record Receipt<T>(List<List<T>> fresh, boolean ackProgress, boolean peerRestarted) {

    static <T> Receipt<T> nothing() {
        return new Receipt<>(List.of(), false, false);
    }

    public List<T> fresh(int log) {
        return log < fresh.size() ? fresh.get(log) : List.of();
    }
}
