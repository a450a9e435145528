package dev.glomers.raft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.node.Body;
import java.util.ArrayList;
import java.util.List;

/**
 * Raft's messages between nodes. All are sent without a msg_id (fire and forget): Raft pairs a request
 * with its answer by term and index, not by id, and a lost message is made good by the next one. Bodies
 * are read field by field, so the optional parts (a result, piggybacked operations) may be absent.
 */
final class RaftMessages {

    static final String APPEND = "append_entries";
    static final String UPDATE = "follower_update";
    static final String REQUEST_VOTE = "request_vote";
    static final String VOTE = "vote";
    static final String PRE_VOTE = "pre_vote";
    static final String PRE_VOTE_RESULT = "pre_vote_result";
    static final String RELAY = "relay";
    static final String BUNDLE = "bundle";

    private RaftMessages() {
    }

    /**
     * An entry on the wire; {@code cmd} is absent for the no-op a leader appends at the start of its term;
     * {@code floor} is its origin's applied-table floor ({@link Entry}).
     */
    record WireEntry(long term, String origin, long id, JsonNode cmd, long floor) {
        WireEntry(long term, String origin, long id, JsonNode cmd) {
            this(term, origin, id, cmd, 0);
        }
    }

    /**
     * Leader to follower: entries after {@code prevIndex} (none for a heartbeat) and the leader's commit
     * index; {@code relay} true (else absent) asks the follower to send its updates through its peers too,
     * because the leader has not heard it for a while.
     */
    record AppendEntries(long term, long prevIndex, long prevTerm, long commit, List<WireEntry> entries, Boolean relay,
                         Long round, List<ReadAnswer> reads) implements Body {
        AppendEntries(long term, long prevIndex, long prevTerm, long commit, List<WireEntry> entries) {
            this(term, prevIndex, prevTerm, commit, entries, null);
        }

        AppendEntries(long term, long prevIndex, long prevTerm, long commit, List<WireEntry> entries, Boolean relay) {
            this(term, prevIndex, prevTerm, commit, entries, relay, null, null);
        }

        @Override
        public String type() {
            return APPEND;
        }

        static AppendEntries read(ObjectNode body) {
            List<WireEntry> entries = new ArrayList<>();
            for (JsonNode entry : body.path("entries")) {
                JsonNode cmd = entry.get("cmd");
                entries.add(new WireEntry(entry.path("term").asLong(), entry.path("origin").asText(),
                        entry.path("id").asLong(), cmd == null || cmd.isNull() ? null : cmd, entry.path("floor").asLong()));
            }
            return new AppendEntries(body.path("term").asLong(), body.path("prev_index").asLong(),
                    body.path("prev_term").asLong(), body.path("commit").asLong(), entries,
                    body.path("relay").asBoolean(false) ? Boolean.TRUE : null, ReadAnswer.round(body), ReadAnswer.read(body));
        }
    }

    /**
     * How an append went: on success the index up to which the follower's log now matches the leader's;
     * on failure the fast back-off hints (the term of the conflicting entry and the first index the
     * follower holds of that term, or conflictTerm 0 and the follower's last index + 1 when its log is short).
     */
    record AppendResult(boolean success, long matchIndex, long conflictTerm, long conflictIndex) {
    }

    /**
     * A client operation a follower carries to the leader; the origin is the message's sender, and
     * {@code floor} its applied-table floor when it sent the operation ({@link Entry}).
     */
    record ForwardedOp(long id, JsonNode cmd, long floor) {
    }

    /**
     * Follower to leader: the result of an append, the follower's clients' operations, or both;
     * {@code unheard} true (else absent) says no append reached it directly for a while, so the leader
     * sends it appends through the other followers too.
     */
    record FollowerUpdate(long term, AppendResult result, List<ForwardedOp> ops, Boolean unheard, Long round) implements Body {
        FollowerUpdate(long term, AppendResult result, List<ForwardedOp> ops) {
            this(term, result, ops, null);
        }

        FollowerUpdate(long term, AppendResult result, List<ForwardedOp> ops, Boolean unheard) {
            this(term, result, ops, unheard, null);
        }

        @Override
        public String type() {
            return UPDATE;
        }

        static FollowerUpdate read(ObjectNode body) {
            AppendResult result = null;
            JsonNode r = body.get("result");
            if (r != null && r.isObject()) {
                result = new AppendResult(r.path("success").asBoolean(), r.path("match_index").asLong(),
                        r.path("conflict_term").asLong(), r.path("conflict_index").asLong());
            }
            List<ForwardedOp> ops = new ArrayList<>();
            for (JsonNode op : body.path("ops")) {
                ops.add(new ForwardedOp(op.path("id").asLong(), op.get("cmd"), op.path("floor").asLong()));
            }
            return new FollowerUpdate(body.path("term").asLong(), result, ops,
                    body.path("unheard").asBoolean(false) ? Boolean.TRUE : null, ReadAnswer.round(body));
        }
    }

    /**
     * A message passed on by a peer: with one-way links (the workbench's majorities-ring partition) the
     * way back may only exist through a third node. The node named {@code to} takes {@code msg} as if
     * {@code from} had sent it; any other node passes it on to {@code to}, once.
     */
    record Relay(String to, String from, ObjectNode msg) implements Body {
        @Override
        public String type() {
            return RELAY;
        }
    }

    /**
     * Several messages to the same peer made in one step, in one message: with one-way links a leader's
     * append to one follower and the append it passes through that follower to the other travel together,
     * and so do a follower's update and the one it passes on. The peer takes the parts in order, each as if
     * it had come alone from the sender.
     */
    record Bundle(List<ObjectNode> msgs) implements Body {
        @Override
        public String type() {
            return BUNDLE;
        }
    }

    record RequestVote(long term, long lastIndex, long lastTerm) implements Body {
        @Override
        public String type() {
            return REQUEST_VOTE;
        }

        static RequestVote read(ObjectNode body) {
            return new RequestVote(body.path("term").asLong(), body.path("last_index").asLong(), body.path("last_term").asLong());
        }
    }

    record Vote(long term, boolean granted) implements Body {
        @Override
        public String type() {
            return VOTE;
        }

        static Vote read(ObjectNode body) {
            return new Vote(body.path("term").asLong(), body.path("granted").asBoolean());
        }
    }

    /**
     * Would you vote for me in {@code term} (our term + 1, not taken yet)? The pre-vote of the thesis, section
     * 9.6: a node raises its term only once a majority says yes, so one that cannot win never disrupts.
     */
    record PreVote(long term, long lastIndex, long lastTerm) implements Body {
        @Override
        public String type() {
            return PRE_VOTE;
        }

        static PreVote read(ObjectNode body) {
            return new PreVote(body.path("term").asLong(), body.path("last_index").asLong(), body.path("last_term").asLong());
        }
    }

    /** The answer to a {@link PreVote}: the asked-for term when granted, the voter's own term when not. */
    record PreVoteResult(long term, boolean granted) implements Body {
        @Override
        public String type() {
            return PRE_VOTE_RESULT;
        }

        static PreVoteResult read(ObjectNode body) {
            return new PreVoteResult(body.path("term").asLong(), body.path("granted").asBoolean());
        }
    }

    /**
     * The leader's answer to a follower's read (ReadIndex): request {@code id} of that follower may be answered
     * from its state machine once it has applied up to {@code index}. Appends carry these, and the read round
     * ({@code round}: the leader's newest, which its follower echoes in its updates; absent when none).
     */
    record ReadAnswer(long id, long index) {
        static List<ReadAnswer> read(ObjectNode body) {
            JsonNode reads = body.get("reads");
            if (reads == null || !reads.isArray()) {
                return null;
            }
            List<ReadAnswer> answers = new ArrayList<>();
            for (JsonNode read : reads) {
                answers.add(new ReadAnswer(read.path("id").asLong(), read.path("index").asLong()));
            }
            return answers;
        }

        static Long round(ObjectNode body) {
            long round = body.path("round").asLong(0);
            return round > 0 ? round : null;
        }
    }

    /**
     * Leader to follower: one chunk of the leader's snapshot (the paper's InstallSnapshot, Figure 13), for a
     * follower whose next entry the leader's log no longer holds. {@code index} and {@code lastTerm} name the
     * last entry the snapshot covers, {@code data} is the snapshot's text from {@code offset} on, and
     * {@code size} its whole length. Chunks go one at a time; a lost one is sent again. {@code relay} as in
     * {@link AppendEntries}: the leader has not heard the follower directly for a while.
     */
    record InstallSnapshot(long term, long index, long lastTerm, long offset, String data, long size, Boolean relay) implements Body {
        static final String TYPE = "install_snapshot";

        @Override
        public String type() {
            return TYPE;
        }

        static InstallSnapshot read(ObjectNode body) {
            return new InstallSnapshot(body.path("term").asLong(), body.path("index").asLong(), body.path("last_term").asLong(),
                    body.path("offset").asLong(), body.path("data").asText(""), body.path("size").asLong(),
                    body.path("relay").asBoolean(false) ? Boolean.TRUE : null);
        }
    }

    /**
     * Follower to leader: how much of the snapshot ending at {@code index} it holds ({@code received}
     * characters from the start); {@code done}: it is installed (and synced when durable), or the follower
     * had committed that far already.
     */
    record SnapshotAck(long term, long index, long received, boolean done) implements Body {
        static final String TYPE = "snapshot_ack";

        @Override
        public String type() {
            return TYPE;
        }

        static SnapshotAck read(ObjectNode body) {
            return new SnapshotAck(body.path("term").asLong(), body.path("index").asLong(), body.path("received").asLong(),
                    body.path("done").asBoolean());
        }
    }

    /**
     * A node that knows no leader, to each peer: once when it (re)starts, and again while its clients wait for a
     * leader ({@link Rejoining}): it is there, and its log ends at {@code lastIndex} (0 when it started without
     * its data). It carries no term: it is not a Raft RPC and changes nobody's term or vote. A
     * leader answers it with an append at once (a follower silent for long is otherwise sent to only once per
     * election timeout); any other node ignores it.
     */
    record Rejoin(long lastIndex) implements Body {
        static final String TYPE = "rejoin";

        @Override
        public String type() {
            return TYPE;
        }

        static Rejoin read(ObjectNode body) {
            return new Rejoin(Math.max(0, body.path("last_index").asLong())); // junk never names an index under the log's start
        }
    }
}
