package dev.glomers.workload.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The star, batching and acknowledgement bookkeeping, one message at a time. */
class DisseminationTest {

    private static final List<String> NODES = List.of("n0", "n1", "n2", "n3");

    private final Dissemination hub = new Dissemination("n0", NODES);
    private final Dissemination leaf = new Dissemination("n1", NODES);
    private final Dissemination other = new Dissemination("n2", NODES);

    @Test
    void theHubIsTheFirstNodeAndALeafSendsItsValuesOnlyToIt() {
        assertThat(hub.isHub()).isTrue();
        assertThat(leaf.hub()).isEqualTo("n0");
        leaf.broadcast(7);
        assertThat(leaf.hasUnsent("n0")).isTrue();
        assertThat(leaf.hasUnsent("n2")).isFalse();
        assertThat(leaf.hasUnsent("n3")).isFalse();
        assertThat(leaf.read()).containsExactly(7L);
    }

    @Test
    void oneBatchCarriesEverythingUnsentAndTheHubRelaysWhatIsNewToEveryPeer() {
        leaf.broadcast(1);
        leaf.broadcast(2);
        Gossip uplink = leaf.next("n0");
        assertThat(uplink.up()).containsExactly(1L, 2L);
        assertThat(uplink.upFrom()).isEqualTo(1);
        assertThat(uplink.rel()).isEmpty();
        assertThat(leaf.hasUnsent("n0")).isFalse();

        Dissemination.Receipt receipt = hub.receive("n1", uplink);
        assertThat(receipt.newValues()).isEqualTo(2);
        hub.broadcast(3);
        for (String peer : List.of("n1", "n2", "n3")) {
            assertThat(hub.hasUnsent(peer)).isTrue();
        }
        Gossip relay = hub.next("n2");
        assertThat(relay.rel()).containsExactly(1L, 2L, 3L);
        other.receive("n0", relay);
        assertThat(other.read()).containsExactlyInAnyOrder(1L, 2L, 3L);
    }

    @Test
    void aValueAlreadyKnownIsNeitherAddedNorRelayedAgain() {
        assertThat(hub.broadcast(5)).isTrue();
        assertThat(hub.broadcast(5)).isFalse();
        leaf.broadcast(5);
        Dissemination.Receipt receipt = hub.receive("n1", leaf.next("n0"));
        assertThat(receipt.newValues()).isZero();
        assertThat(hub.next("n2").rel()).containsExactly(5L);
        assertThat(hub.read()).containsExactly(5L);
    }

    @Test
    void acknowledgementsRideOnTrafficTheOtherWayAndLetTheLogsGo() {
        leaf.broadcast(1);
        hub.receive("n1", leaf.next("n0"));
        assertThat(leaf.awaitsAck("n0")).isTrue();
        Dissemination.Mark sent = leaf.sent("n0");

        // The hub's next relay batch acknowledges the uplink.
        Gossip relay = hub.next("n1");
        assertThat(relay.upAck()).isEqualTo(1);
        Dissemination.Receipt receipt = leaf.receive("n0", relay);
        assertThat(receipt.ackProgress()).isTrue();
        assertThat(leaf.acknowledged("n0", sent)).isTrue();
        assertThat(leaf.awaitsAck("n0")).isFalse();
        assertThat(leaf.ackOwed("n0")).isTrue();

        // The leaf's next uplink acknowledges the relay batch; no bare ack needed.
        leaf.broadcast(2);
        Gossip uplink = leaf.next("n0");
        assertThat(leaf.ackOwed("n0")).isFalse();
        assertThat(uplink.relAck()).isEqualTo(1);
        hub.receive("n1", uplink);

        // The relay log is kept until every peer holds it, then dropped.
        for (String peer : List.of("n2", "n3")) {
            Dissemination node = new Dissemination(peer, NODES);
            node.receive("n0", hub.next(peer));
            hub.receive(peer, node.next("n0"));
        }
        assertThat(hub.retained()).isEqualTo(1); // value 2: relayed to nobody yet
        hub.receive("n1", leaf.next("n0"));
        assertThat(leaf.retained()).isEqualTo(1); // value 2 not acknowledged yet
    }

    @Test
    void aBareAcknowledgementCarriesNoEntries() {
        hub.broadcast(9);
        leaf.receive("n0", hub.next("n1"));
        Gossip ack = leaf.next("n0");
        assertThat(ack.carriesEntries()).isFalse();
        assertThat(ack.relAck()).isEqualTo(1);
        assertThat(hub.receive("n1", ack).ackProgress()).isTrue();
        assertThat(hub.awaitsAck("n1")).isFalse();
    }

    @Test
    void aGapHoldsTheCumulativeAcknowledgementUntilARedeliveryFillsIt() {
        hub.broadcast(1);
        Gossip lost = hub.next("n1");
        hub.broadcast(2);
        Gossip second = hub.next("n1");
        assertThat(lost.rel()).containsExactly(1L);
        assertThat(second.relFrom()).isEqualTo(2);

        leaf.receive("n0", second);
        assertThat(leaf.read()).containsExactly(2L); // values are used at once ...
        assertThat(leaf.next("n0").relAck()).isZero(); // ... but only a gap-free prefix is acknowledged

        Gossip redelivery = hub.resend("n1");
        assertThat(redelivery.rel()).containsExactly(1L, 2L);
        leaf.receive("n0", redelivery);
        assertThat(leaf.next("n0").relAck()).isEqualTo(2);
    }

    @Test
    void anAcknowledgementBeyondWhatWasSentIsIgnored() {
        hub.broadcast(1);
        hub.next("n1");
        Gossip bogus = new Gossip(1, List.of(), 1, List.of(), 1, List.of(), 0, 50, 50);
        hub.receive("n1", bogus);
        hub.broadcast(2);
        assertThat(hub.hasUnsent("n1")).isTrue();
        assertThat(hub.awaitsAck("n1")).isFalse();
        assertThat(hub.resend("n1").rel()).containsExactly(2L);
    }

    @Test
    void aSuspectHubMakesTheLeafFanOutItsUnacknowledgedAndNewValuesUntilTheHubAnswers() {
        leaf.broadcast(1);
        hub.receive("n1", leaf.next("n0"));
        leaf.receive("n0", hub.next("n1")); // 1 acknowledged by the hub
        leaf.broadcast(2);
        leaf.next("n0"); // lost to a partition

        leaf.suspect("n0");
        assertThat(leaf.hubUnreachable()).isTrue();
        assertThat(leaf.isSuspect("n0")).isTrue();
        leaf.broadcast(3);
        assertThat(leaf.next("n2").dir()).containsExactly(2L, 3L);
        assertThat(leaf.next("n3").dir()).containsExactly(2L, 3L);

        // The hub answers again: new values go the usual way only.
        hub.receive("n1", leaf.resend("n0"));
        leaf.receive("n0", hub.next("n1"));
        assertThat(leaf.hubUnreachable()).isFalse();
        assertThat(leaf.isSuspect("n0")).isFalse();
        leaf.broadcast(4);
        assertThat(leaf.hasUnsent("n2")).isFalse();
        assertThat(leaf.next("n0").up()).containsExactly(4L);
    }

    @Test
    void aFanOutBuildsTheSameTreeOnEveryNode() {
        List<String> seven = List.of("n0", "n1", "n2", "n3", "n4", "n5", "n6");
        Dissemination root = new Dissemination("n0", seven, 2);
        Dissemination inner = new Dissemination("n2", seven, 2);
        Dissemination leafOfTree = new Dissemination("n6", seven, 2);
        assertThat(root.children()).containsExactly("n1", "n2");
        assertThat(root.parent()).isNull();
        assertThat(inner.children()).containsExactly("n5", "n6");
        assertThat(inner.parent()).isEqualTo("n0");
        assertThat(leafOfTree.children()).isEmpty();
        assertThat(leafOfTree.parent()).isEqualTo("n2");
        assertThat(new Dissemination("n0", seven).children()).as("fan-out 0: a star").hasSize(6);
        assertThat(new Dissemination("n0", seven, 6).children()).hasSize(6);
    }

    @Test
    void anInnerNodePassesItsParentsRelayOnIncludingItsOwnClientsValues() {
        List<String> seven = List.of("n0", "n1", "n2", "n3", "n4", "n5", "n6");
        Dissemination root = new Dissemination("n0", seven, 2);
        Dissemination inner = new Dissemination("n2", seven, 2);
        inner.broadcast(8);
        assertThat(inner.hasUnsent("n5")).as("own values go up to the hub first").isFalse();
        root.receive("n2", inner.next("n0"));
        root.broadcast(9);
        Dissemination.Receipt receipt = inner.receive("n0", root.next("n2"));
        assertThat(receipt.relayed()).isEqualTo(2);
        assertThat(inner.next("n5").rel()).containsExactly(8L, 9L);
        // A redelivery of the same batch is not passed on twice.
        assertThat(inner.receive("n0", root.resend("n2")).relayed()).isZero();
    }

    @Test
    void aSingleNodeHasNoPeersAndServesReads() {
        Dissemination alone = new Dissemination("n0", List.of("n0"));
        alone.broadcast(1);
        alone.broadcast(2);
        assertThat(alone.peers()).isEmpty();
        assertThat(alone.read()).containsExactly(1L, 2L);
        assertThat(alone.retained()).isZero();
    }
}
