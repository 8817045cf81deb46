package dev.forge.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.store.LeasedRecords;
import dev.forge.store.LeasedTask;
import dev.forge.store.TaskStore;
import dev.forge.store.TaskStoreContract;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import redis.clients.jedis.RedisClient;
import org.junit.jupiter.api.Test;

/** The task-store contract against Redis; every test on its own key prefix. */
class RedisTaskStoreTest extends TaskStoreContract {

    private RedisFixture redis;
    private RedisBackend backend;

    @Override
    protected TaskStore createStore() {
        redis = RedisFixture.open();
        // records a lease read never age here: a busy machine may pause longer than their
        // second between a test's lease and its find (LeasedRecordsTest covers the ageing)
        backend = redis.node(new LeasedRecords(() -> 0L));
        return backend.taskStore();
    }

    /** The store's own backend's queue: compareAndSetAndAck runs as one script (task_cas_ack.lua). */
    @Override
    protected JobQueue queueOfThisBackend() {
        return backend.jobQueue();
    }

    @Override
    protected boolean leasesCarryRecords() {
        return true;
    }

    @Override
    protected boolean startsTasksInItsLease() {
        return true;
    }

    @Override
    protected TaskStore sameBackendStore() {
        return redis.node().taskStore();
    }

    /** task_create_enqueue.lua queues a job only for a record it created. */
    @Test
    void createAllAndEnqueue_duplicateId_queuesNoJobForIt() throws Exception {
        try (JobQueue queue = backend.jobQueue()) {
            TaskRecord existing = created("alice", TaskKind.BUILD);
            TaskRecord before = newTask("bob", TaskKind.BUILD);
            TaskRecord after = newTask("carol", TaskKind.BUILD);

            assertThatThrownBy(() -> store.createAllAndEnqueue(List.of(before, existing, after), queue, "q"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(existing.id().toString());
            assertThatThrownBy(() -> store.createAllAndEnqueue(List.of(existing), queue, "q"))
                    .isInstanceOf(IllegalArgumentException.class);

            assertThat(queue.depth("q")).isEqualTo(2);
            assertThat(queue.depth("q", "alice")).isZero();
            List<String> payloads = new ArrayList<>();
            for (Lease lease : queue.lease(List.of("q"), 10, Duration.ofMinutes(5), Duration.ZERO)) {
                payloads.add(lease.payload());
            }
            assertThat(payloads).containsExactly(before.id().value(), after.id().value());
            assertThat(store.find(existing.id())).contains(existing);
        }
    }

    /**
     * A record of the layout before the one q_lease.lua starts (status ahead of the results, as
     * stored by an earlier forge) is leased and left for the worker to start.
     */
    @Test
    void leaseAndStart_recordOfTheEarlierLayout_isLeftForTheWorker() throws Exception {
        try (JobQueue queue = backend.jobQueue();
                RedisClient client = RedisClient.create(java.net.URI.create(RedisTestSupport.URL))) {
            TaskRecord task = created("alice", TaskKind.BUILD);
            String key = redis.prefix() + "task:" + task.id().value();
            String earlier = "{\"id\":\"" + task.id().value() + "\",\"kind\":\"BUILD\",\"owner\":\"alice\","
                    + "\"project\":\"demo\",\"goal\":\"build it\",\"params\":{\"flavor\":\"mint\"},\"types\":[],"
                    + "\"status\":\"INITIALIZING\",\"progress\":0,\"attempt\":0,\"maxAttempts\":3,\"results\":{},"
                    + "\"createdAt\":\"" + task.createdAt() + "\",\"updatedAt\":\"" + task.updatedAt() + "\","
                    + "\"version\":" + task.version() + "}";
            client.hset(key, "rec", earlier);
            assertThat(store.find(task.id())).as("the earlier layout reads as the same record").contains(task);
            queue.enqueue("q", task.id().value(), Duration.ZERO, task.owner());

            List<LeasedTask> leased = store.leaseAndStart(queue, List.of("q"), 1, Duration.ofMinutes(5),
                    Duration.ZERO, clock);

            assertThat(leased).singleElement().satisfies(l -> assertThat(l.started()).isNull());
            assertThat(store.find(task.id())).contains(task);
            assertThat(store.compareAndSet(task, task.start(clock.instant()))).as("the worker starts it").isTrue();
        }
    }

    @AfterEach
    void removeKeys() {
        if (redis != null) {
            redis.close();
        }
    }
}
