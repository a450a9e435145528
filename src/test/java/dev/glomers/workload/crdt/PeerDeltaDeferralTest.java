package dev.glomers.workload.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Body;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.workload.counter.PnCounterState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A durable CRDT core does not sync a peer's delta on its own: it waits for the next persist an own add or a
 * tick makes, and until then nothing that leaves the node shows it (reads, and gossip, whose versions would
 * acknowledge it to its sender). In memory it is merged on arrival, as always.
 */
class PeerDeltaDeferralTest {

    private static final List<String> NODES = List.of("n0", "n1", "n2");
    private static final CrdtProperties SETTINGS = new CrdtProperties(Duration.ofMillis(250), 2);

    private long msgIds;

    private Message client(String type, long delta) {
        ObjectNode body = Wire.JSON.createObjectNode().put("type", type).put("msg_id", ++msgIds);
        if (type.equals("add")) {
            body.put("delta", delta);
        }
        return new Message("c1", "n0", body);
    }

    /** n1's gossip: its first add (+5), its versions, and that it believes n0 has nothing. */
    private static Message gossipFromN1() {
        ObjectNode delta = Wire.JSON.createObjectNode();
        delta.putArray("n1").add(1).add(5);
        return new Message("n1", "n0", Wire.tree(new CrdtCore.Gossip(delta, Map.of("n1", 1L), Map.of())));
    }

    private static long readValue(RecordingDisk.Out out) {
        return Wire.tree(out.body()).get("value").asLong();
    }

    @Test
    void aPeersDeltaCostsNoSyncOfItsOwnAndReadsDoNotShowItBeforeItIsPersisted() {
        RecordingDisk disk = RecordingDisk.keeping();
        CrdtCore core = new CrdtCore("n0", NODES, SETTINGS, new PnCounterState());
        core.start(0, disk);

        core.receive(gossipFromN1(), 10, disk);
        disk.sync();
        assertThat(disk.syncs()).as("syncs for a peer's delta alone").isZero();
        core.receive(client("read", 0), 11, disk);
        List<RecordingDisk.Out> read = disk.drain();
        assertThat(read).hasSize(1); // answered at once, no sync waited for
        assertThat(readValue(read.get(0))).as("a read before the delta is persisted").isZero();

        core.receive(client("add", 2), 12, disk);
        assertThat(disk.drain()).as("add_ok before the sync").isEmpty();
        disk.sync();
        assertThat(disk.syncs()).as("one sync for the add and the delta").isEqualTo(1);
        assertThat(disk.drain()).extracting(out -> out.body().type()).containsExactly("add_ok");
        assertThat(disk.stored().records()).hasSize(1);

        PnCounterState recovered = new PnCounterState();
        new CrdtCore("n0", NODES, SETTINGS, recovered).recover(disk.stored());
        assertThat(recovered.value()).isEqualTo(7);
        core.receive(client("read", 0), 13, disk);
        assertThat(readValue(disk.drain().get(0))).isEqualTo(7);
    }

    @Test
    void theGossipThatAcknowledgesADeltaLeavesOnlyOnceTheDeltaIsSynced() {
        RecordingDisk disk = RecordingDisk.keeping();
        CrdtCore core = new CrdtCore("n0", NODES, SETTINGS, new PnCounterState());
        core.start(0, disk);
        core.receive(gossipFromN1(), 10, disk);
        long wake = core.wakeAt();
        assertThat(wake).as("a tick to merge the waiting delta, and to answer n1").isEqualTo(250);

        core.tick(wake, disk);
        assertThat(disk.drain()).as("gossip before the sync").isEmpty();
        disk.sync();
        assertThat(disk.syncs()).isEqualTo(1);
        List<RecordingDisk.Out> sent = disk.drain();
        assertThat(sent).isNotEmpty().allSatisfy(out -> assertThat(out.body().type()).isEqualTo("gossip"));
        RecordingDisk.Out toN1 = sent.stream().filter(out -> out.dest().equals("n1")).findFirst().orElseThrow();
        assertThat(Wire.tree(toN1.body()).get("versions").get("n1").asLong()).as("n0 acknowledges n1's add").isEqualTo(1);
        PnCounterState recovered = new PnCounterState();
        new CrdtCore("n0", NODES, SETTINGS, recovered).recover(disk.stored());
        assertThat(recovered.value()).isEqualTo(5);
    }

    @Test
    void aCrashBeforeTheNextPersistLosesOnlyWhatWasNeverShownAndTheSenderOffersItAgain() {
        RecordingDisk disk = RecordingDisk.keeping();
        CrdtCore core = new CrdtCore("n0", NODES, SETTINGS, new PnCounterState());
        core.start(0, disk);
        core.receive(gossipFromN1(), 10, disk);
        core.receive(client("read", 0), 11, disk);
        assertThat(readValue(disk.drain().get(0))).isZero();
        assertThat(disk.crash().isEmpty()).isTrue();

        // n1 has not heard n0 acknowledge its add, so it offers it again (PeerKnowledge): the restart catches up.
        PnCounterState state = new PnCounterState();
        CrdtCore restarted = new CrdtCore("n0", NODES, SETTINGS, state);
        restarted.start(20, disk);
        restarted.receive(gossipFromN1(), 30, disk);
        restarted.tick(restarted.wakeAt(), disk);
        disk.sync();
        assertThat(state.value()).isEqualTo(5);
    }

    @Test
    void aMalformedDeltaThatWaitedNeverFailsTheAddThatMergesIt() {
        RecordingDisk disk = RecordingDisk.keeping();
        CrdtCore core = new CrdtCore("n0", NODES, SETTINGS, new PnCounterState());
        core.start(0, disk);
        ObjectNode malformed = Wire.JSON.createObjectNode();
        malformed.put("n2", "not a [version, sum]");
        core.receive(new Message("n2", "n0", Wire.tree(new CrdtCore.Gossip(malformed, Map.of("n2", 1L), Map.of()))), 5, disk);
        core.receive(gossipFromN1(), 10, disk);
        core.receive(client("add", 2), 12, disk);
        disk.sync();
        assertThat(disk.drain()).extracting(out -> out.body() == null ? "error" : out.body().type()).containsExactly("add_ok");
        core.receive(client("read", 0), 13, disk);
        assertThat(readValue(disk.drain().get(0))).isEqualTo(7);
    }

    @Test
    void inMemoryADeltaIsMergedOnArrival() {
        List<Body> replies = new ArrayList<>();
        Effects memory = new Effects() {
            @Override
            public void send(String dest, Body body) {
            }

            @Override
            public void reply(Message request, Body body) {
                replies.add(body);
            }

            @Override
            public void fail(Message request, RpcError error) {
            }

            @Override
            public long request(String dest, Body body) {
                return 0;
            }
        };
        CrdtCore core = new CrdtCore("n0", NODES, SETTINGS, new PnCounterState());
        core.start(0, memory);
        core.receive(gossipFromN1(), 10, memory);
        core.receive(client("read", 0), 11, memory);
        JsonNode read = Wire.tree(replies.get(0));
        assertThat(read.get("value").asLong()).isEqualTo(5);
    }
}
