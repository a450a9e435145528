/**
 * The one reliable-delivery primitive, {@link dev.glomers.delivery.Delivery}: per-peer ordered logs,
 * cumulative acknowledgements that ride on traffic going the other way ({@link dev.glomers.delivery.Parcel}),
 * a bare acknowledgement only when one is owed too long, a suspect state for a peer that missed its
 * acknowledgement deadline, and go-back redelivery of everything unacknowledged, paced by a Resilience4j
 * retry policy used as data ({@link dev.glomers.retry.Backoff}). Pure: a core owns one and gives it the time.
 *
 * <p>API in one breath: {@code new Delivery<>(peers, readersPerLog, Timing.of(ackDelay, ackTimeout),
 * retries.policy(name))}; {@code append(log, entry)}; {@code next(peer, now)} builds the parcel to send
 * (unsent entries + acknowledgements); {@code receive(peer, parcel, now)} returns per log the entries to
 * apply, in order and once ({@link dev.glomers.delivery.Receipt}); {@code tick(now, outlet)} sends due bare
 * acknowledgements and redeliveries; {@code wakeAt()} joins the core's own; {@code isSuspect(peer)},
 * {@code hasUnsent(peer)} and {@code awaitsAck(peer)} let the caller decide its regular batches;
 * {@code acknowledgements(peer)} puts the acknowledgements alone on a message of the caller's own (a reply).
 * Across restarts: {@code incarnate(n)} with an incarnation the core persists and raises in every run,
 * {@code announce()} right after a restart; parcels then carry both sides' incarnations and, to a peer seen
 * restarting, floors (see the class's Restarts section); {@link dev.glomers.delivery.Receipt#peerRestarted}
 * tells the core a peer came back. Used by broadcast (three logs: uplink, relay, direct), kafka and txn.
 */
package dev.glomers.delivery;
