package dev.glomers.delivery;

import java.util.List;

/**
 * What a parcel from a peer changed.
 *
 * @param fresh       per log of the sender: the entries to apply now, in seq order, each exactly once over
 *                    the lifetime of the delivery (duplicates and resends are left out; an entry that came
 *                    before a gap is held back until the gap fills)
 * @param ackProgress whether the parcel acknowledged something of ours not acknowledged before
 */
public record Receipt<T>(List<List<T>> fresh, boolean ackProgress) {

    public List<T> fresh(int log) {
        return log < fresh.size() ? fresh.get(log) : List.of();
    }
}
