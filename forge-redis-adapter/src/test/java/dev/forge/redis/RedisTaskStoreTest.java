package dev.forge.redis;

import dev.forge.queue.JobQueue;
import dev.forge.store.TaskStore;
import dev.forge.store.TaskStoreContract;
import org.junit.jupiter.api.AfterEach;

/** The task-store contract against Redis; every test on its own key prefix. */
class RedisTaskStoreTest extends TaskStoreContract {

    private RedisFixture redis;
    private RedisBackend backend;

    @Override
    protected TaskStore createStore() {
        redis = RedisFixture.open();
        backend = redis.node();
        return backend.taskStore();
    }

    /** The store's own backend's queue: compareAndSetAndAck runs as one script (task_cas_ack.lua). */
    @Override
    protected JobQueue queueOfThisBackend() {
        return backend.jobQueue();
    }

    @Override
    protected TaskStore sameBackendStore() {
        return redis.node().taskStore();
    }

    @AfterEach
    void removeKeys() {
        if (redis != null) {
            redis.close();
        }
    }
}
