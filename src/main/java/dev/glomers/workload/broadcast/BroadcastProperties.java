package dev.glomers.workload.broadcast;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code glomers.broadcast} block of application.yml: batching windows and acknowledgement
 * timing. Windows are aligned to the wall clock (every node of a test runs on one machine), so that
 * a {@code relay-phase} just longer than the network latency lets the hub send a window's uplinks
 * on as soon as they have all arrived.
 *
 * @param fanOut         most children per node in the dissemination tree; 0 for no limit: a star around the hub
 * @param uplinkWindow   how long a leaf collects its clients' values before sending them to the hub; 0 sends each at once
 * @param relayWindow    how often the hub sends what is new to every peer; 0 sends at once
 * @param relayPhase     offset of the hub's windows from the wall-clock multiples of {@code relayWindow}: the
 *                       earliest the hub closes a window
 * @param relayLinger    how much later than {@code relayPhase} the hub may close it while uplinks are still arriving
 * @param relayQuiet     an uplink this recent keeps the window open (within {@code relayLinger})
 * @param fallbackWindow how often a leaf that fans out itself (its hub unreachable) sends to every peer
 * @param ackDelay       how long a node waits for a message going the other way to carry an acknowledgement before sending a bare one
 * @param ackTimeout     how long a sender waits for an acknowledgement before the redelivery policy takes over;
 *                       must exceed {@code ackDelay} plus a round trip plus a window
 * @param clientAck      when a client's {@code broadcast} is answered: {@code on-receipt}, or {@code after-window}:
 *                       when the batching window that carries it on closes (group commit)
 */
@ConfigurationProperties("glomers.broadcast")
public record BroadcastProperties(
        int fanOut,
        Duration uplinkWindow,
        Duration relayWindow,
        Duration relayPhase,
        Duration relayLinger,
        Duration relayQuiet,
        Duration fallbackWindow,
        Duration ackDelay,
        Duration ackTimeout,
        ClientAck clientAck) {

    /** When a client's broadcast is acknowledged. */
    public enum ClientAck {
        /** As soon as the node holds the value: it is redelivered until every node has it. */
        ON_RECEIPT,
        /**
         * When the batching window that takes the value on closes: the client waits up to a window
         * (group commit), and visibility elsewhere is one network path away from the acknowledgement.
         */
        AFTER_WINDOW
    }

    public BroadcastProperties {
        if (fanOut < 0) {
            throw new IllegalArgumentException("glomers.broadcast.fan-out must be 0 (no limit: a star) or positive");
        }
        if (clientAck == null) {
            throw new IllegalArgumentException("glomers.broadcast.client-ack must be set: on-receipt or after-window");
        }
        require("uplink-window", uplinkWindow);
        require("relay-window", relayWindow);
        require("relay-phase", relayPhase);
        require("relay-linger", relayLinger);
        require("relay-quiet", relayQuiet);
        require("fallback-window", fallbackWindow);
        require("ack-delay", ackDelay);
        require("ack-timeout", ackTimeout);
        if (fallbackWindow.isZero()) {
            throw new IllegalArgumentException("glomers.broadcast.fallback-window must be positive");
        }
        if (!relayWindow.isZero() && relayLinger.compareTo(relayWindow) >= 0) {
            throw new IllegalArgumentException("glomers.broadcast.relay-linger must be shorter than relay-window");
        }
        if (ackTimeout.compareTo(ackDelay) <= 0) {
            throw new IllegalArgumentException("glomers.broadcast.ack-timeout must exceed ack-delay, or every batch is sent twice");
        }
    }

    private static void require(String name, Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException("glomers.broadcast." + name + " must be set in application.yml and not negative");
        }
    }
}
