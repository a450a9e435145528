package dev.glomers.cluster.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import dev.glomers.cluster.CheckResult;
import dev.glomers.cluster.ClusterOptions;
import dev.glomers.cluster.History;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * A workload the runner can drive: what clients send, how replies are read, what is checked. One
 * instance per run; {@link #dispatch} and {@link #nextInvocation} are called from one thread only. Add a workload by
 * implementing this and adding one line to {@link dev.glomers.cluster.WorkloadRegistry}.
 */
public interface ClientLoad {

    /** The -w name, e.g. "broadcast". */
    String name();

    /** Node arguments when none are given after "--": the workload name, i.e. the Spring profile. */
    default List<String> nodeArgs() {
        return List.of(name());
    }

    /** Runs once after every node answered init, before the clients start (broadcast sends topology). */
    default void setUp(SetupContext setup) throws SetupException {
    }

    /** The next client operation, drawn as the workbench's generator would. */
    Invocation nextInvocation(Random random);

    /**
     * Which free worker invokes what, once the rate says an operation is due; the runner calls this one.
     * {@code workers.free()} starts with the worker free the longest, which this default takes, drawing as
     * {@link #nextInvocation(Random)}. lin-kv overrides it: there Jepsen's generator picks the worker
     * ({@link LinKvGenerator}).
     */
    default Dispatch dispatch(Random random, Workers workers) {
        return new Dispatch(workers.free().get(0), nextInvocation(random));
    }

    /** How long a client waits for a reply before the operation is indeterminate (the workbench's 5 s by default). */
    default Duration clientTimeout(ClusterOptions options) {
        return Duration.ofSeconds(5);
    }

    /** The operation each client worker performs once after healing and waiting, if any (final reads). */
    default Optional<Invocation> finalInvocation() {
        return Optional.empty();
    }

    /** The request body for an invocation (type and fields; the runner adds msg_id). */
    ObjectNode request(Invocation invocation);

    /**
     * Reads a non-error reply. Returns the value recorded in the ok completion (e.g. the messages read,
     * the id generated). Throws when the reply is not exactly what the workbench's schema allows.
     */
    JsonNode readReply(Invocation invocation, ObjectNode reply) throws MalformedReplyException;

    /**
     * Error codes that record the operation as failed (it did not happen). Other codes, and timeouts, are
     * indeterminate. Workloads whose workbench client does not interpret errors return an empty set.
     */
    default Set<Integer> definiteErrorCodes() {
        return Set.of(1, 10, 11);
    }

    /** Checks the finished history. */
    List<CheckResult> check(History history, CheckContext context);

    /** One client operation: {@code f} and its argument. */
    record Invocation(String f, JsonNode value, boolean finalRead) {
        public static Invocation of(String f, JsonNode value) {
            return new Invocation(f, value, false);
        }
    }

    /**
     * A client worker as Jepsen's generator sees it: {@code thread} is the worker's number (0 to concurrency - 1)
     * and {@code process} its current process, which Jepsen replaces after every indeterminate operation:
     * thread + concurrency x the indeterminate operations the worker has had so far.
     */
    record ClientProcess(int thread, int process) {
    }

    /** When an operation is due: the free workers (the longest free first) and every worker, by thread. */
    record Workers(List<ClientProcess> free, List<ClientProcess> all) {
    }

    /** An operation and the worker that invokes it. */
    record Dispatch(ClientProcess worker, Invocation invocation) {
    }

    /** What a workload's set-up step may do: talk to nodes from fresh clients, as the workbench does. */
    interface SetupContext {
        List<String> nodeIds();

        ClusterOptions options();

        /** Sends {@code body} to {@code node} from a new client and waits up to 5 s for an ok reply. */
        ObjectNode rpc(String node, ObjectNode body) throws SetupException;
    }

    /** What checkers get besides the history. */
    record CheckContext(ClusterOptions options, List<String> nodeIds) {

        /** The models a transactional history is checked against: {@code --consistency-models}, else the workbench's default. */
        public List<String> consistencyModels() {
            return options.consistencyModels().isEmpty() ? List.of("strict-serializable") : options.consistencyModels();
        }
    }

    /** A set-up step failed; the run stops (the workbench aborts the test). */
    final class SetupException extends Exception {
        public SetupException(String message) {
            super(message);
        }
    }

    /** A reply that breaks the workbench's closed schema for it. */
    final class MalformedReplyException extends Exception {
        public MalformedReplyException(String message) {
            super(message);
        }
    }
}
