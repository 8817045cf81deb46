package dev.forge.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.forge.InfrastructureException;
import dev.forge.store.LeasedRecords;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

/**
 * Commands of concurrent threads in one shared pipeline: each gets its own reply, an error reply
 * reaches only its caller, and scripts flushed in the middle of a batch are loaded and run once.
 * Each test makes its batch deterministic: a first command holds the pipeline's only round trip
 * until every other caller waits for the next one, so those callers share one batch.
 */
class SharedPipelineTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private final String prefix = RedisTestSupport.uniquePrefix();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Thread> callers = new ArrayList<>();
    private RedisClient client;
    private RedisCommands redis;
    private RedisTaskStore store;

    @BeforeEach
    void connect() {
        RedisTestSupport.requireRedis();
        client = RedisClient.create(URI.create(RedisTestSupport.URL));
        redis = new RedisCommands(client, new Keys(prefix));
        store = new RedisTaskStore(redis, new TaskCodec(new ObjectMapper()), 1 << 20, new LeasedRecords());
    }

    @AfterEach
    void close() throws InterruptedException {
        threads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
        if (client != null) {
            client.close();
            RedisTestSupport.deleteKeys(prefix);
        }
    }

    @Test
    void compareAndSet_sameTaskFromManyThreadsInOneBatch_exactlyOneWins() throws Exception {
        TaskRecord created = created("t1");
        int n = 16;
        List<Callable<Boolean>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TaskRecord next = created.start(NOW.plusSeconds(i + 1));
            calls.add(() -> store.compareAndSet(created, next));
        }

        long before = redis.sharedBatches();
        List<Boolean> won = inOneBatch(calls);

        assertThat(redis.sharedBatches() - before).as("the holding batch, then one for all").isEqualTo(2);
        assertThat(won).containsOnlyOnce(true);
        Instant winner = NOW.plusSeconds(won.indexOf(true) + 1);
        assertThat(store.find(created.id()).orElseThrow().startedAt()).isEqualTo(winner);
    }

    @Test
    void errorReply_reachesOnlyItsOwnCaller() throws Exception {
        TaskRecord created = created("t1");
        String notAHash = prefix + "plain";
        client.set(notAHash, "x");
        List<Callable<Object>> calls = List.of(
                () -> store.compareAndSet(created, created.start(NOW)),
                () -> redis.hgetShared("wrong type", notAHash, "rec"),
                () -> store.find(created.id()).map(TaskRecord::version),
                () -> store.compareAndSet(created, created.start(NOW))); // stale by then

        long before = redis.sharedBatches();
        List<Object> replies = inOneBatch(calls);

        assertThat(redis.sharedBatches() - before).isEqualTo(2);
        assertThat(replies.get(0)).isEqualTo(true);
        assertThat(replies.get(1)).isInstanceOf(InfrastructureException.class);
        assertThat(((Exception) replies.get(1)).getMessage()).contains("wrong type").contains("WRONGTYPE");
        assertThat(replies.get(2)).isEqualTo(Optional.of(1L));
        assertThat(replies.get(3)).isEqualTo(false);
    }

    @Test
    void scriptFlushMidBatch_scriptsLoadedAgainAndEachCallRunsOnce() throws Exception {
        TaskRecord first = created("t1");
        TaskRecord second = created("t2");
        TaskRecord warmUp = created("t3");
        assertThat(store.compareAndSet(warmUp, warmUp.start(NOW))).as("the script is loaded").isTrue();
        List<Callable<Object>> calls = List.of(
                () -> store.compareAndSet(first, first.start(NOW)),
                () -> {
                    redis.runShared("flush", pipeline -> pipeline.sendCommand(Protocol.Command.SCRIPT, "FLUSH"));
                    return "flushed";
                },
                () -> store.compareAndSet(second, second.start(NOW)),
                () -> store.find(second.id()).map(TaskRecord::version));

        List<Object> replies = inOneBatch(calls);

        // the first ran before the flush (a second run would have answered false: stale), the
        // second was answered NOSCRIPT, sent again after loading, and ran
        assertThat(replies).containsExactly(true, "flushed", true, Optional.of(0L));
        assertThat(store.find(first.id()).orElseThrow().version()).isEqualTo(1);
        assertThat(store.find(second.id()).orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void loneCaller_sentAtOnceAlone() {
        TaskRecord created = created("t1");
        long before = redis.sharedBatches();

        assertThat(store.find(created.id())).contains(created);
        assertThat(redis.sharedBatches() - before).isEqualTo(1);
    }

    @Test
    void connectionFailure_failsEveryCallerOfTheBatch() throws Exception {
        TaskRecord created = created("t1");
        List<Callable<Object>> calls = List.of(
                () -> store.find(created.id()),
                () -> store.compareAndSet(created, created.start(NOW)));
        // the holder closes the pool: the next batch cannot get a connection
        List<Object> replies = inOneBatch(calls, client::close);

        assertThat(replies).allSatisfy(reply -> assertThat(reply).isInstanceOf(InfrastructureException.class));
        assertThat(replies.get(0)).isNotSameAs(replies.get(1));
    }

    private TaskRecord created(String id) {
        TaskRecord record = TaskRecord.create(TaskId.of(id), TaskKind.BUILD, "alice", "demo", "", Map.of(),
                List.of(), 3, NOW);
        store.create(record);
        return record;
    }

    private <T> List<T> inOneBatch(List<Callable<T>> calls) throws Exception {
        return inOneBatch(calls, () -> { });
    }

    /**
     * Runs a command that holds the shared pipeline's round trip, then starts {@code calls} on
     * threads of their own, one after another, each once the one before waits for the next
     * batch; then runs {@code whileHeld} and lets the holder finish. Replies (or the exception
     * a call threw) in the order of {@code calls}.
     */
    @SuppressWarnings("unchecked")
    private <T> List<T> inOneBatch(List<Callable<T>> calls, Runnable whileHeld) throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = threads.submit(() -> redis.runShared("hold", pipeline -> {
            holding.countDown();
            awaitUninterruptibly(release);
            return pipeline.sendCommand(Protocol.Command.PING, new String[0]);
        }));
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        List<Future<Object>> futures = new ArrayList<>();
        for (Callable<T> call : calls) {
            AtomicReference<Thread> caller = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            futures.add(threads.submit(() -> {
                caller.set(Thread.currentThread());
                started.countDown();
                try {
                    return call.call();
                } catch (RuntimeException e) {
                    return e;
                }
            }));
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            awaitWaitingForBatch(caller.get());
        }
        whileHeld.run();
        release.countDown();
        holder.get(10, TimeUnit.SECONDS);
        List<T> replies = new ArrayList<>();
        for (Future<Object> future : futures) {
            replies.add((T) future.get(10, TimeUnit.SECONDS));
        }
        return replies;
    }

    /** Until {@code thread} is parked waiting for its turn in the combiner (not merely for its lock). */
    private static void awaitWaitingForBatch(Thread thread) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            Object blocker = LockSupport.getBlocker(thread);
            // GroupCall parks a waiting caller on its own call object (a lock wait has another blocker)
            if (blocker != null && blocker.getClass().getName().startsWith("dev.forge.concurrent.GroupCall$")) {
                return;
            }
            assertThat(System.nanoTime()).as("%s waiting for the next batch", thread.getName()).isLessThan(deadline);
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // hold on: the test lets go
            }
        }
    }
}
