package dev.glomers.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The production runner: disk work in line on the caller (the event loop), and a close that waits for it. */
class EventLoopSyncTest {

    @Test
    void writeThenSyncThenDoneRunInLineInThatOrder() {
        List<String> steps = new CopyOnWriteArrayList<>();
        EventLoopSync runner = new EventLoopSync();
        runner.run(() -> steps.add("write"), () -> steps.add("sync"), () -> steps.add("done"), failure -> steps.add("failed"));
        assertThat(steps).containsExactly("write", "sync", "done");
    }

    @Test
    void aFailedSyncIsReportedAndNothingIsAcknowledged() {
        List<String> steps = new CopyOnWriteArrayList<>();
        EventLoopSync runner = new EventLoopSync();
        runner.run(() -> steps.add("write"), () -> {
            throw new StorageException("fsync failed");
        }, () -> steps.add("done"), failure -> steps.add("failed: " + failure.getMessage()));
        assertThat(steps).containsExactly("write", "failed: fsync failed");
    }

    @Test
    void afterCloseNothingIsWrittenOrSynced() {
        List<String> steps = new CopyOnWriteArrayList<>();
        EventLoopSync runner = new EventLoopSync();
        runner.close();
        runner.run(() -> steps.add("write"), () -> steps.add("sync"), () -> steps.add("done"), failure -> steps.add("failed"));
        assertThat(steps).isEmpty();
    }

    /** A kill closes the storage from another thread: it returns only once the fsync under way is over. */
    @Test
    void closeWaitsForTheDiskWorkUnderWay() throws Exception {
        List<String> steps = new CopyOnWriteArrayList<>();
        EventLoopSync runner = new EventLoopSync();
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch finishWrite = new CountDownLatch(1);
        Thread eventLoop = new Thread(() -> runner.run(() -> {
            writing.countDown();
            await(finishWrite);
            steps.add("write");
        }, () -> steps.add("sync"), () -> steps.add("done"), failure -> steps.add("failed")));
        eventLoop.start();
        assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
        Thread closer = new Thread(() -> {
            runner.close();
            steps.add("closed");
        });
        closer.start();
        while (closer.getState() != Thread.State.BLOCKED) {
            assertThat(closer.isAlive()).as("close returned during the write").isTrue();
            Thread.onSpinWait();
        }
        finishWrite.countDown();
        closer.join(10_000);
        eventLoop.join(10_000);
        assertThat(steps.subList(0, 2)).containsExactly("write", "sync");
        assertThat(steps).containsExactlyInAnyOrder("write", "sync", "done", "closed");
        CompletableFuture<String> later = new CompletableFuture<>();
        runner.run(() -> later.complete("wrote after close"), () -> { }, () -> { }, failure -> { });
        assertThat(later).isNotDone();
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
