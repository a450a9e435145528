package dev.glomers.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.glomers.node.Body;
import dev.glomers.node.Effects;
import dev.glomers.node.Message;
import dev.glomers.node.RpcError;
import dev.glomers.node.Wire;
import dev.glomers.retry.Backoff;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The Raft core by itself, message by message: cores wired to a hand-driven network in which the test
 * decides what is delivered, dropped or cut off, and when each election timer fires.
 */
class RaftCoreTest {

    static final RaftProperties SETTINGS = new RaftProperties(Duration.ofMillis(150), Duration.ofMillis(300),
            Duration.ofMillis(50), Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ofMillis(20), Duration.ofMillis(900), 100, 1_000_000, 65536, true, Duration.ZERO);

    /** A journal of strings: applying appends one and returns the journal's length. */
    static final class Journal implements StateMachine<String, Integer> {
        final List<String> applied = new ArrayList<>();

        @Override
        public String command(Message request) {
            return request.body().path("value").asText();
        }

        @Override
        public Integer apply(String command) {
            applied.add(command);
            return applied.size();
        }

        /** "read...": how many were applied, answered with a read index (RaftReadIndexTest). */
        @Override
        public boolean readOnly(String command) {
            return command.startsWith("read");
        }

        @Override
        public Integer query(String command) {
            return applied.size();
        }

        @Override
        public void answer(Message request, Integer result, Effects out) {
            out.reply(request, new Appended(result));
        }

        @Override
        public JsonNode encode(String command) {
            return TextNode.valueOf(command);
        }

        @Override
        public String decode(JsonNode encoded) {
            return encoded.asText();
        }

        @Override
        public JsonNode snapshot() {
            var list = Wire.JSON.createArrayNode();
            applied.forEach(list::add);
            return list;
        }

        @Override
        public void restore(JsonNode snapshot) {
            applied.clear();
            snapshot.forEach(value -> applied.add(value.asText()));
        }
    }

    record Appended(int length) implements Body {
        @Override
        public String type() {
            return "append_ok";
        }
    }

    /**
     * A node's disk as the durability contract has it: persisted records wait unsynced, and every message
     * the node asks to send or answer after a persist waits with them until the sync. A crash loses both.
     */
    static final class Disk {
        final List<byte[]> synced = new ArrayList<>();
        final List<byte[]> unsynced = new ArrayList<>();
        final List<Runnable> held = new ArrayList<>();
        /** The last synced snapshot ({@code synced} holds what came after it), and one waiting for the sync. */
        byte[] syncedSnapshot;
        byte[] unsyncedSnapshot;

        void snapshot(byte[] state) {
            unsyncedSnapshot = state; // replaces everything before it, synced or not
            unsynced.clear();
        }

        void sync() {
            if (unsyncedSnapshot != null) {
                syncedSnapshot = unsyncedSnapshot;
                unsyncedSnapshot = null;
                synced.clear();
            }
            synced.addAll(unsynced);
            unsynced.clear();
            List<Runnable> release = new ArrayList<>(held);
            held.clear();
            release.forEach(Runnable::run);
        }

        /** Sends now, or after the pending records are synced. */
        void afterSync(Runnable send) {
            if (unsynced.isEmpty() && unsyncedSnapshot == null && held.isEmpty()) {
                send.run();
            } else {
                held.add(send);
            }
        }
    }

    /** Nodes n0.. on a network the test drives: messages wait in flight until delivered. */
    static final class Cluster {
        final Map<String, RaftCore<String, Integer>> cores = new LinkedHashMap<>();
        final Map<String, Journal> journals = new HashMap<>();
        final List<Message> inFlight = new ArrayList<>();
        final List<Message> sent = new ArrayList<>();
        final Map<Long, Message> answers = new HashMap<>();
        /** Leaders seen, per term: there must never be two. */
        final Map<Long, Set<String>> leadersByTerm = new HashMap<>();
        Set<String> isolated = Set.of();
        /** Messages lost on the way, and messages delivered twice (tests of loss and duplication). */
        Predicate<Message> lose = m -> false;
        Predicate<Message> duplicate = m -> false;
        long now;
        long clientIds;
        final List<String> ids = new ArrayList<>();
        final Random random;
        /** Null: nodes without a data directory (in memory, as on the workbench). */
        final Map<String, Disk> disks;
        /** Whether every disk syncs after each step; off, a test syncs (or crashes) by hand. */
        boolean autoSync = true;
        private final Retry policy = Retry.of("test", RetryConfig.custom().maxAttempts(3).waitDuration(Duration.ofMillis(50)).build());

        Cluster(int n, long seed) {
            this(n, seed, false);
        }

        Cluster(int n, long seed, boolean durable) {
            this(n, seed, durable, SETTINGS);
        }

        final RaftProperties settings;

        Cluster(int n, long seed, boolean durable, RaftProperties settings) {
            this.settings = settings;
            for (int i = 0; i < n; i++) {
                ids.add("n" + i);
            }
            random = new Random(seed);
            disks = durable ? new HashMap<>() : null;
            for (String id : ids) {
                if (durable) {
                    disks.put(id, new Disk());
                }
                boot(id, null);
            }
        }

        private void boot(String id, dev.glomers.storage.Stored stored) {
            Journal journal = new Journal();
            journals.put(id, journal);
            RaftCore<String, Integer> core = new RaftCore<>(id, ids, journal, settings, new Random(random.nextLong()), new Backoff(policy));
            cores.put(id, core);
            if (stored != null) {
                core.recover(stored);
            }
            core.start(now, effects(id));
            observe();
        }

        /** The node stops: what it had not synced, and the messages waiting for that sync, are lost. */
        void crash(String id) {
            Disk disk = disks.get(id);
            disk.unsynced.clear();
            disk.unsyncedSnapshot = null;
            disk.held.clear();
            inFlight.removeIf(m -> m.dest().equals(id));
        }

        /** The node starts again from its disk. */
        void restart(String id) {
            Disk disk = disks.get(id);
            boolean empty = disk.synced.isEmpty() && disk.syncedSnapshot == null;
            boot(id, empty ? null : new dev.glomers.storage.Stored(disk.syncedSnapshot, disk.synced));
        }

        void sync(String id) {
            disks.get(id).sync();
        }

        Effects effects(String self) {
            Disk disk = disks == null ? null : disks.get(self);
            return new Effects() {
                @Override
                public void send(String dest, Body body) {
                    Message message = new Message(self, dest, Wire.tree(body));
                    whenSynced(() -> {
                        inFlight.add(message);
                        sent.add(message);
                    });
                }

                @Override
                public void reply(Message request, Body body) {
                    ObjectNode tree = Wire.tree(body);
                    whenSynced(() -> answers.put(request.msgId(), new Message(self, request.src(), tree)));
                }

                @Override
                public void fail(Message request, RpcError error) {
                    whenSynced(() -> answers.put(request.msgId(), new Message(self, request.src(), Wire.tree(error.toBody()))));
                }

                @Override
                public long request(String dest, Body body) {
                    throw new AssertionError("Raft sends no requests");
                }

                @Override
                public boolean durable() {
                    return disk != null;
                }

                @Override
                public void persist(byte[] record) {
                    if (disk == null) {
                        throw new AssertionError("persist without a data directory");
                    }
                    disk.unsynced.add(record);
                }

                @Override
                public void snapshot(byte[] state) {
                    if (disk == null) {
                        throw new AssertionError("snapshot without a data directory");
                    }
                    disk.snapshot(state);
                }

                private void whenSynced(Runnable effect) {
                    if (disk == null) {
                        effect.run();
                    } else {
                        disk.afterSync(effect);
                    }
                }
            };
        }

        RaftCore<String, Integer> core(String id) {
            return cores.get(id);
        }

        /** A client's append at {@code node}; returns its msg_id, the key of its answer. */
        long client(String node, String value) {
            long id = ++clientIds;
            ObjectNode body = Wire.JSON.createObjectNode().put("type", "append").put("value", value).put("msg_id", id);
            try {
                core(node).receive(new Message("c" + id, node, body), now, effects(node));
            } catch (RpcError e) {
                effects(node).fail(new Message("c" + id, node, body), e);
            }
            observe();
            return id;
        }

        boolean cut(Message m) {
            return isolated.contains(m.src()) != isolated.contains(m.dest());
        }

        /** Delivers messages in flight (those {@code which} selects, in order) until none is left; cut ones are lost. */
        void deliver(Predicate<Message> which) {
            for (int rounds = 0; rounds < 10_000; rounds++) {
                Message next = inFlight.stream().filter(which).findFirst().orElse(null);
                if (next == null) {
                    return;
                }
                inFlight.remove(next);
                if (!cut(next) && !lose.test(next)) {
                    core(next.dest()).receive(next, now, effects(next.dest()));
                    observe();
                    if (duplicate.test(next)) {
                        core(next.dest()).receive(next, now, effects(next.dest()));
                        observe();
                    }
                }
            }
            throw new AssertionError("messages never stop");
        }

        void deliverAll() {
            deliver(m -> true);
        }

        /** Time passes in steps of 1 ms: every core due is ticked, every message delivered at once. */
        void run(long millis) {
            for (long end = now + millis; now < end; ) {
                now++;
                for (var entry : cores.entrySet()) {
                    if (entry.getValue().wakeAt() <= now) {
                        entry.getValue().tick(now, effects(entry.getKey()));
                        observe();
                    }
                }
                deliverAll();
            }
        }

        /** The node's election timer fires: it asks for pre-votes first. */
        void timeout(String node) {
            core(node).electionTimeout(now, effects(node));
            observe();
        }

        /** The node starts an election proper, without a pre-vote (tests of the vote rules). */
        void campaign(String node) {
            core(node).campaign(now, effects(node));
            observe();
        }

        private void observe() {
            if (disks != null && autoSync) {
                disks.values().forEach(Disk::sync);
            }
            cores.forEach((id, core) -> {
                if (core.role() == RaftCore.Role.LEADER) {
                    leadersByTerm.computeIfAbsent(core.term(), t -> new HashSet<>()).add(id);
                }
            });
        }

        String leader() {
            List<String> leaders = cores.entrySet().stream()
                    .filter(e -> e.getValue().role() == RaftCore.Role.LEADER).map(Map.Entry::getKey).toList();
            assertThat(leaders).hasSizeLessThanOrEqualTo(1);
            return leaders.isEmpty() ? null : leaders.get(0);
        }

        void assertOneLeaderPerTerm() {
            leadersByTerm.forEach((term, leaders) -> assertThat(leaders).as("leaders of term %d", term).hasSize(1));
        }

        List<String> terms(String node) {
            return core(node).log().stream().map(e -> e.term() + ":" + e.command()).toList();
        }
    }

    /** Found by the fuzz input: junk from outside the cluster once deposed a single-node leader for good. */
    @Test
    void onlyMembersSpeakRaftAStrangersTermsAndVotesChangeNothing() {
        Cluster cluster = new Cluster(3, 9);
        cluster.timeout("n0");
        cluster.deliverAll();
        assertThat(cluster.leader()).isEqualTo("n0");
        long term = cluster.core("n0").term();
        for (String stranger : List.of("n99", "c7", "lin-kv")) {
            for (String junk : List.of(
                    "{\"type\":\"request_vote\",\"term\":99,\"last_index\":99,\"last_term\":99}",
                    "{\"type\":\"append_entries\",\"term\":99,\"prev_index\":0,\"prev_term\":0,\"commit\":0,\"entries\":[]}",
                    "{\"type\":\"vote\",\"term\":99,\"granted\":true}",
                    "{\"type\":\"relay\",\"to\":\"n0\",\"from\":\"n98\",\"msg\":{\"type\":\"request_vote\",\"term\":99,\"last_index\":99,\"last_term\":99}}")) {
                cluster.inFlight.add(new Message(stranger, "n0", (ObjectNode) Wire.JSON.valueToTree(parse(junk))));
            }
        }
        // a relay from a member on behalf of a stranger counts for nothing either
        cluster.inFlight.add(new Message("n1", "n0", (ObjectNode) Wire.JSON.valueToTree(parse(
                "{\"type\":\"relay\",\"to\":\"n0\",\"from\":\"n98\",\"msg\":{\"type\":\"vote\",\"term\":99,\"granted\":true}}"))));
        cluster.deliverAll();
        assertThat(cluster.leader()).isEqualTo("n0");
        assertThat(cluster.core("n0").term()).isEqualTo(term);
        long write = cluster.client("n0", "after the junk");
        cluster.run(100);
        assertThat(cluster.answers.get(write).type()).isEqualTo("append_ok");
    }

    private static JsonNode parse(String json) {
        try {
            return Wire.JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    @Test
    void aSplitVoteElectsNobodyAndTheRandomTimeoutsThenElectOne() {
        Cluster cluster = new Cluster(4, 1);
        cluster.campaign("n0");
        cluster.campaign("n1");
        // n2 hears n0 first, n3 hears n1 first: two votes each, three needed.
        cluster.deliver(m -> m.type().equals("request_vote") && (m.src().equals("n0") ? m.dest().equals("n2") : m.dest().equals("n3")));
        cluster.deliverAll();
        assertThat(cluster.leader()).isNull();
        assertThat(cluster.core("n0").term()).isEqualTo(1);
        cluster.run(2_000);
        String leader = cluster.leader();
        assertThat(leader).isNotNull();
        assertThat(cluster.core(leader).term()).isGreaterThan(1);
        cluster.assertOneLeaderPerTerm();
        cluster.cores.values().forEach(core -> assertThat(core.leader()).isEqualTo(leader));
    }

    @Test
    void aCandidateWithAShorterLogIsNotElected() {
        Cluster cluster = new Cluster(3, 2);
        cluster.timeout("n0");
        cluster.deliverAll();
        assertThat(cluster.leader()).isEqualTo("n0");
        cluster.isolated = Set.of("n2");
        long write = cluster.client("n0", "a");
        cluster.run(100);
        assertThat(cluster.answers.get(write).type()).isEqualTo("append_ok");
        // n0 goes; n2 (missing "a") campaigns first, but n1 holds "a" and refuses it.
        cluster.isolated = Set.of("n0");
        cluster.inFlight.clear();
        cluster.now += SETTINGS.electionTimeoutMin().toMillis(); // n1 stops hearing n0: it takes elections again
        cluster.campaign("n2");
        List<Message> votes = new ArrayList<>();
        cluster.deliver(m -> m.type().equals("request_vote"));
        cluster.inFlight.stream().filter(m -> m.type().equals("vote") && m.dest().equals("n2")).forEach(votes::add);
        assertThat(votes).singleElement().satisfies(vote -> assertThat(vote.body().path("granted").asBoolean()).isFalse());
        cluster.deliverAll();
        cluster.run(3_000);
        assertThat(cluster.leader()).isEqualTo("n1");
        assertThat(cluster.journals.get("n1").applied).contains("a");
        cluster.assertOneLeaderPerTerm();
    }

    @Test
    void aPartitionedOldLeaderCommitsNothingAndItsDivergentLogIsRepairedFast() {
        Cluster cluster = new Cluster(3, 3);
        cluster.timeout("n0");
        cluster.deliverAll();
        long first = cluster.client("n0", "first");
        cluster.run(100);
        assertThat(cluster.answers.get(first).type()).isEqualTo("append_ok");
        long commitBefore = cluster.core("n0").commitIndex();

        cluster.isolated = Set.of("n0");
        List<Long> lost = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            lost.add(cluster.client("n0", "lost" + i)); // appended on n0 only
        }
        cluster.run(600);
        assertThat(cluster.core("n0").commitIndex()).isEqualTo(commitBefore);
        assertThat(lost).allSatisfy(id -> assertThat(cluster.answers.get(id)).isNull());
        // The majority elects and commits without n0.
        cluster.run(3_000);
        String leader = cluster.leader();
        assertThat(leader).isIn("n1", "n2");
        long kept = cluster.client(leader.equals("n1") ? "n2" : "n1", "kept");
        for (int i = 0; i < 40; i++) {
            cluster.client(leader, "kept" + i);
        }
        cluster.run(200);
        assertThat(cluster.answers.get(kept).type()).isEqualTo("append_ok");
        // The old leader's clients got 0 (indeterminate) at their deadline, never a definite error or success.
        assertThat(lost).allSatisfy(id -> assertThat(cluster.answers.get(id).body().path("code").asInt(-1)).isEqualTo(0));
        assertThat(cluster.core("n0").commitIndex()).isEqualTo(commitBefore);

        long termBeforeHeal = cluster.core(leader).term();
        cluster.isolated = Set.of();
        int sentBefore = cluster.sent.size();
        cluster.run(3_000);
        // Pre-vote: n0 could not win while cut off, so it never raised its term, and the heal costs no election.
        assertThat(cluster.leader()).isEqualTo(leader);
        assertThat(cluster.core(leader).term()).isEqualTo(termBeforeHeal);
        // Distinct failed consistency checks (a relayed append, and so its rejection, may come twice).
        long rejections = cluster.sent.subList(sentBefore, cluster.sent.size()).stream()
                .filter(m -> m.type().equals("follower_update") && !m.body().path("result").path("success").asBoolean(true))
                .filter(m -> m.body().path("result").path("conflict_index").asLong() > 0) // not "your term is over"
                .map(m -> m.body().toString()).distinct().count();
        assertThat(cluster.terms("n0")).isEqualTo(cluster.terms(leader));
        assertThat(cluster.journals.get("n0").applied).isEqualTo(cluster.journals.get(leader).applied)
                .contains("first", "kept").noneMatch(value -> value.startsWith("lost"));
        // 40 divergent entries on each side: repaired in a round trip or two, not forty (RaftLogTest has the hints).
        assertThat(rejections).isLessThanOrEqualTo(2L);
        cluster.assertOneLeaderPerTerm();
    }

    /** The paper's figure 8: an entry of an older term on a majority is not committed until one of the leader's own term is. */
    @Test
    void aLeaderCommitsEntriesOfEarlierTermsOnlyWithOneOfItsOwn() {
        Cluster cluster = new Cluster(3, 4);
        RaftCore<String, Integer> n0 = cluster.core("n0");
        cluster.campaign("n0");
        cluster.deliver(m -> m.type().equals("request_vote") || m.type().equals("vote"));
        assertThat(n0.role()).isEqualTo(RaftCore.Role.LEADER);
        cluster.inFlight.clear(); // the no-op of term 1 reaches nobody
        long old = cluster.client("n0", "old");
        cluster.inFlight.clear();
        // Term 2 passes without n0 hearing of a leader; n0 is elected again in term 3.
        n0.receive(new Message("n2", "n0", Wire.tree(new RaftMessages.Vote(2, false))), cluster.now, cluster.effects("n0"));
        cluster.inFlight.clear();
        cluster.campaign("n0");
        n0.receive(new Message("n1", "n0", Wire.tree(new RaftMessages.Vote(3, true))), cluster.now, cluster.effects("n0"));
        assertThat(n0.role()).isEqualTo(RaftCore.Role.LEADER);
        assertThat(n0.term()).isEqualTo(3);
        // Its log: the no-op and "old" of term 1, the no-op of term 3, and "old" again (its client still
        // waits, and the entry of term 1 may have been lost; applying skips the second copy).
        assertThat(cluster.terms("n0")).containsExactly("1:null", "1:old", "3:null", "3:old");
        long noOpOfTerm3 = 3;

        // n1 now holds everything up to the old entry: a majority holds it, and still it is not committed.
        n0.receive(new Message("n1", "n0", Wire.tree(new RaftMessages.FollowerUpdate(3,
                new RaftMessages.AppendResult(true, noOpOfTerm3 - 1, 0, 0), null))), cluster.now, cluster.effects("n0"));
        assertThat(n0.commitIndex()).isZero();
        assertThat(cluster.answers.get(old)).isNull();
        // Once the entry of term 3 is on a majority, it and everything before it are committed.
        n0.receive(new Message("n1", "n0", Wire.tree(new RaftMessages.FollowerUpdate(3,
                new RaftMessages.AppendResult(true, noOpOfTerm3, 0, 0), null))), cluster.now, cluster.effects("n0"));
        assertThat(n0.commitIndex()).isEqualTo(noOpOfTerm3);
        n0.receive(new Message("n1", "n0", Wire.tree(new RaftMessages.FollowerUpdate(3,
                new RaftMessages.AppendResult(true, 4, 0, 0), null))), cluster.now, cluster.effects("n0"));
        assertThat(n0.commitIndex()).isEqualTo(4);
        assertThat(cluster.journals.get("n0").applied).containsExactly("old");
        assertThat(cluster.answers.get(old).type()).isEqualTo("append_ok");
    }

    /** The three-node shortcut (a follower commits what it got from its term's leader) must not cover older terms. */
    @Test
    void aFollowerOfThreeDoesNotCommitOlderTermsEntriesOnReceipt() {
        Cluster cluster = new Cluster(3, 5);
        RaftCore<String, Integer> n1 = cluster.core("n1");
        var old = new RaftMessages.WireEntry(1, "n0", 7, TextNode.valueOf("old"));
        n1.receive(new Message("n0", "n1", Wire.tree(new RaftMessages.AppendEntries(1, 0, 0, 0, List.of(old)))), cluster.now, cluster.effects("n1"));
        assertThat(n1.commitIndex()).as("an entry of the term's leader: it and we are a majority").isEqualTo(1);

        var older = new RaftMessages.WireEntry(1, "n0", 8, TextNode.valueOf("older"));
        RaftCore<String, Integer> n2 = cluster.core("n2");
        n2.receive(new Message("n0", "n2", Wire.tree(new RaftMessages.AppendEntries(1, 0, 0, 0, List.of(older)))), cluster.now, cluster.effects("n2"));
        // A leader of term 3 that has not replicated an entry of its own yet: n2's term-1 entry is not known committed.
        n2.receive(new Message("n1", "n2", Wire.tree(new RaftMessages.AppendEntries(3, 1, 1, 0, List.of()))), cluster.now, cluster.effects("n2"));
        assertThat(n2.term()).isEqualTo(3);
        assertThat(n2.commitIndex()).isEqualTo(1); // committed while term 1 was current, and stays so
        RaftCore<String, Integer> fresh = new Cluster(3, 6).core("n2");
        fresh.receive(new Message("n0", "n2", Wire.tree(new RaftMessages.AppendEntries(1, 0, 0, 0, List.of(older)))), 0, cluster.effects("n2"));
        fresh.receive(new Message("n1", "n2", Wire.tree(new RaftMessages.AppendEntries(3, 1, 1, 0, List.of()))), 0, cluster.effects("n2"));
        assertThat(fresh.commitIndex()).isEqualTo(1);
    }

    @Test
    void aFollowerWithoutALeaderHoldsAnOperationThenAnswers11AndOperationsCarriedTwiceApplyOnce() {
        Cluster cluster = new Cluster(3, 7);
        cluster.isolated = Set.of("n1");
        long early = cluster.client("n1", "early");
        cluster.run(SETTINGS.clientTimeout().toMillis() - 1);
        assertThat(cluster.answers.get(early)).as("held while an election may bring a leader").isNull();
        cluster.run(1);
        assertThat(cluster.answers.get(early).body().path("code").asInt()).isEqualTo(11);
        cluster.isolated = Set.of();
        cluster.run(3_000);
        String follower = cluster.leader().equals("n1") ? "n2" : "n1";
        long once = cluster.client(follower, "once");
        cluster.core(follower).tick(cluster.now, cluster.effects(follower)); // the forwarding window (0 here) closes
        List<Message> updates = cluster.inFlight.stream().filter(m -> m.type().equals("follower_update") && m.body().has("ops")).toList();
        assertThat(updates).hasSize(1);
        cluster.inFlight.add(updates.get(0)); // duplicated by the network
        cluster.run(200);
        assertThat(cluster.answers.get(once).type()).isEqualTo("append_ok");
        cluster.journals.values().forEach(journal -> assertThat(journal.applied).containsOnlyOnce("once"));
    }
}
