package dev.glomers.cluster.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glomers.cluster.Json;
import dev.glomers.cluster.load.ClientLoad.ClientProcess;
import dev.glomers.cluster.load.ClientLoad.Dispatch;
import dev.glomers.cluster.load.ClientLoad.Invocation;
import dev.glomers.cluster.load.ClientLoad.Workers;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The workbench's lin-kv generator, step for step: which free worker invokes which operation on which key
 * when the rate says an operation is due. The facts it rests on, read from the source the workbench pins
 * (maelstrom 0.2.x on jepsen 0.3.x):
 * <ul>
 * <li>maelstrom {@code core.clj} {@code maelstrom-test}: {@code (gen/stagger (/ rate) workload-generator)},
 * so one operation at a time, uniformly spaced in [0, 2/rate], goes to whichever worker the generator picks
 * among the free ones; the runner's {@code ClientWorkers} keeps that clock.</li>
 * <li>jepsen {@code tests/linearizable_register.clj} {@code test}: {@code (independent/concurrent-generator
 * (* 2 n) (range) (fn [k] (gen/process-limit 20 (gen/reserve n r (gen/mix [w cas cas])))))}, n the node
 * count; maelstrom {@code workload/lin_kv.clj} passes only {@code :nodes}, so no per-key op limit.</li>
 * <li>{@code independent/concurrent-generator}: contiguous groups of 2n threads, one key per group, keys
 * 0, 1, 2, ... in order; a group whose generator is exhausted takes the next unused key. Each group sees a
 * context holding only its own threads. Groups with a free thread are equally likely: their ops carry the
 * same time and {@code generator.clj soonest-op-map} breaks such ties at random by weight (our reference
 * copy holds only the older form of concurrent-generator; equal weights and weights by group size agree
 * here, the groups being equal).</li>
 * <li>{@code generator.clj reserve}: its ranges are absolute thread numbers, {@code (range 0 n)} for the
 * readers, and the default generator gets every other thread of the context it is given (its own TODO
 * warns of this when nested). Inside a group's context, then, only threads 0..n-1 read, all in the first
 * group; the other threads of the first group and every thread of the other groups write or cas. That is
 * why reads are a quarter of the ops on 3 nodes / 4n (half the time the first group, half of that its
 * readers) and a tenth on 5 nodes / 10n while every worker is free, more when other groups are all
 * busy. In the first group the readers' range weighs n (its size) and the writers' range the count of the
 * group's other threads; a range without a free thread yields :pending and loses.</li>
 * <li>{@code generator.clj mix} over {@code [w cas cas]}: a write for every two cas; {@code w} writes
 * {@code (rand-int 5)}, {@code cas} is {@code [(rand-int 5) (rand-int 5)]}.</li>
 * <li>{@code generator.clj process-limit}: each time the group's generator is asked, the processes of all
 * the group's threads (busy ones too) join the set it has emitted under; once that set would exceed 20 the
 * key is exhausted. A thread gets a new process, thread + concurrency, after each indeterminate op.</li>
 * <li>{@code generator/context.clj some-free-process}: a range's op goes to its first free thread at or
 * after a cursor that every invocation moves on by one, over the concurrency plus the nemesis.</li>
 * </ul>
 * The workbench refuses a concurrency that is not a multiple of 2n; here the last group is simply smaller
 * (one group of everyone below 2n, its first half readers). With more than 10 nodes a fresh key would
 * already exceed the process limit and the workbench's generator would spin through keys; here a fresh
 * key always gets its first op. Nemesis invocations, which also move the workbench's cursor, are not seen.
 */
final class LinKvGenerator {

    /** Jepsen's linearizable-register default process-limit. */
    static final int PROCESS_LIMIT = 20;

    /** One group of workers, the key it tests and the processes its current key has emitted under. */
    private static final class Group {
        final int firstThread;
        final int size;
        final Set<Integer> processes = new HashSet<>();
        long key;

        Group(int firstThread, int size, long key) {
            this.firstThread = firstThread;
            this.size = size;
            this.key = key;
        }

        boolean holds(int thread) {
            return thread >= firstThread && thread < firstThread + size;
        }
    }

    private final int concurrency;
    private final int groupSize;
    /** Threads below this number read, wherever they are (reserve's absolute range). */
    private final int readers;
    private final Group[] groups;
    private long nextKey;
    /** Jepsen's next-thread-index; the nemesis is thread number {@code concurrency}. */
    private int cursor;

    LinKvGenerator(int nodeCount, int concurrency) {
        this.concurrency = concurrency;
        this.groupSize = Math.min(2 * nodeCount, concurrency);
        this.readers = groupSize / 2;
        int count = (concurrency + groupSize - 1) / groupSize;
        this.groups = new Group[count];
        for (int g = 0; g < count; g++) {
            int first = g * groupSize;
            groups[g] = new Group(first, Math.min(groupSize, concurrency - first), g);
        }
        this.nextKey = count;
    }

    /** The key a thread's group is testing now. */
    long keyOf(int thread) {
        return groups[thread / groupSize].key;
    }

    Dispatch next(Random random, Workers workers) {
        boolean[] free = new boolean[concurrency];
        for (ClientProcess worker : workers.free()) {
            free[worker.thread()] = true;
        }
        List<Group> asked = new ArrayList<>();
        for (Group group : groups) {
            if (anyFree(free, group, true) || anyFree(free, group, false)) {
                retireIfOverLimit(group, workers.all());
                asked.add(group);
            }
        }
        if (asked.isEmpty()) {
            throw new IllegalArgumentException("no free worker");
        }
        Group group = asked.get(random.nextInt(asked.size()));
        boolean read = chooseReaders(random, free, group);
        int thread = firstFreeAtCursor(free, group, read);
        cursor = (cursor + 1) % (concurrency + 1);
        for (int t = group.firstThread; t < group.firstThread + group.size; t++) {
            group.processes.add(workers.all().get(t).process());
        }
        return new Dispatch(workers.all().get(thread), invocation(random, group.key, read));
    }

    /** Process-limit: the key is exhausted once its processes and the group's current ones exceed 20. */
    private void retireIfOverLimit(Group group, List<ClientProcess> all) {
        if (group.processes.isEmpty()) {
            return;
        }
        Set<Integer> union = new HashSet<>(group.processes);
        for (int t = group.firstThread; t < group.firstThread + group.size; t++) {
            union.add(all.get(t).process());
        }
        if (union.size() > PROCESS_LIMIT) {
            group.key = nextKey++;
            group.processes.clear();
        }
    }

    /** Reserve's tie between the readers' range (weight: its size) and the default range (its thread count). */
    private boolean chooseReaders(Random random, boolean[] free, Group group) {
        boolean readerFree = anyFree(free, group, true);
        boolean writerFree = anyFree(free, group, false);
        if (readerFree && writerFree) {
            int writerWeight = 0;
            for (int t = group.firstThread; t < group.firstThread + group.size; t++) {
                writerWeight += t >= readers ? 1 : 0;
            }
            return random.nextInt(writerWeight + readers) >= writerWeight;
        }
        return readerFree;
    }

    private boolean anyFree(boolean[] free, Group group, boolean reader) {
        for (int t = group.firstThread; t < group.firstThread + group.size; t++) {
            if (free[t] && (t < readers) == reader) {
                return true;
            }
        }
        return false;
    }

    private int firstFreeAtCursor(boolean[] free, Group group, boolean reader) {
        for (int i = 0; i <= concurrency; i++) {
            int t = (cursor + i) % (concurrency + 1);
            if (t < concurrency && free[t] && group.holds(t) && (t < readers) == reader) {
                return t;
            }
        }
        throw new IllegalStateException("no free thread in the chosen range");
    }

    private static Invocation invocation(Random random, long key, boolean read) {
        ObjectNode value = Json.object();
        value.put("key", key);
        if (read) {
            return Invocation.of("read", value);
        }
        if (random.nextInt(3) == 0) {
            value.put("value", random.nextInt(5));
            return Invocation.of("write", value);
        }
        value.put("from", random.nextInt(5));
        value.put("to", random.nextInt(5));
        return Invocation.of("cas", value);
    }
}
