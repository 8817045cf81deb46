package dev.forge.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.queue.Lease;
import dev.forge.queue.Queues;
import dev.forge.store.TaskStore;
import dev.forge.task.TaskChanges;
import dev.forge.task.TaskError;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Celery failure forge must not have, over Redis: a worker whose lease lapsed (it stalled,
 * or its node was cut off) comes back and tries to store its result after another node took the
 * job over. Its late write and its ack are refused; the record holds exactly the second
 * attempt's result, and the acked job leaves nothing behind.
 */
class RedisStaleWorkerTest {

    private static final Duration SHORT_LEASE = Duration.ofMillis(300);

    private RedisFixture redis;

    @BeforeEach
    void open() {
        redis = RedisFixture.open();
    }

    @AfterEach
    void close() {
        redis.close();
    }

    @Test
    void staleWorker_lateResultAndAck_areRefused_afterAnotherNodeTookTheJobOver() throws Exception {
        RedisBackend nodeA = redis.node();
        RedisBackend nodeB = redis.node();
        TaskStore storeA = nodeA.taskStore();
        TaskStore storeB = nodeB.taskStore();
        TaskRecord task = TaskRecord.create(TaskId.of("stale-1"), TaskKind.BUILD, "alice", "demo", "build it",
                Map.of(), List.of(), 3, Instant.now());
        storeA.create(task);
        nodeA.jobQueue().enqueue(Queues.BUILD, task.id().value(), Duration.ZERO);

        // node A starts the attempt, then stalls past its lease
        Lease leaseA = nodeA.jobQueue().lease(Queues.BUILD, SHORT_LEASE, Duration.ZERO).orElseThrow();
        TaskRecord runningA = write(storeA, task, task.start(Instant.now()));
        // node B gets the job once the lease has lapsed (measured by Redis), and runs it
        Optional<Lease> leaseB = nodeB.jobQueue().lease(Queues.BUILD, Duration.ofSeconds(30), Duration.ofSeconds(5));
        assertThat(leaseB).as("redelivered to node B after A's lease lapsed").isPresent();
        assertThat(leaseB.get().deliveries()).isEqualTo(2);
        TaskRecord seenByB = storeB.find(task.id()).orElseThrow();
        TaskRecord retried = write(storeB, seenByB, seenByB.transitionTo(TaskStatus.INITIALIZING, null,
                new TaskError(TaskError.INFRASTRUCTURE, "worker lost"), Instant.now()));
        TaskRecord runningB = write(storeB, retried, retried.start(Instant.now()));
        TaskRecord doneB = write(storeB, runningB, runningB.transitionTo(TaskStatus.COMPLETED,
                Map.of("by", "node-b"), null, Instant.now()));
        assertThat(nodeB.jobQueue().ack(leaseB.get())).isTrue();

        // node A wakes up and tries to finish its own attempt
        TaskRecord lateA = runningA.transitionTo(TaskStatus.COMPLETED, Map.of("by", "node-a"), null, Instant.now());
        TaskChanges.requireValid(runningA, lateA); // a well-formed change: only the version is stale
        boolean lateWrite = storeA.compareAndSet(runningA, lateA);
        boolean lateAck = nodeA.jobQueue().ack(leaseA);

        assertThat(lateWrite).as("the stale worker's result").isFalse();
        assertThat(lateAck).as("the stale worker's ack").isFalse();
        TaskRecord stored = storeA.find(task.id()).orElseThrow();
        assertThat(stored).isEqualTo(doneB);
        assertThat(stored.results()).containsEntry("by", "node-b");
        assertThat(stored.attempt()).isEqualTo(2);
        assertThat(nodeA.jobQueue().depth(Queues.BUILD)).isZero();
        assertThat(nodeA.jobQueue().lease(Queues.BUILD, Duration.ofSeconds(30), Duration.ofMillis(400)))
                .as("an acked job never comes back").isEmpty();
    }

    private static TaskRecord write(TaskStore store, TaskRecord expected, TaskRecord next) {
        TaskChanges.requireValid(expected, next);
        assertThat(store.compareAndSet(expected, next)).as("write %s -> %s", expected.status(), next.status()).isTrue();
        return next;
    }
}
