package dev.forge.redis;

import dev.forge.store.TaskStore;
import dev.forge.store.TaskStoreContract;
import org.junit.jupiter.api.AfterEach;

/** The task-store contract against Redis; every test on its own key prefix. */
class RedisTaskStoreTest extends TaskStoreContract {

    private RedisFixture redis;

    @Override
    protected TaskStore createStore() {
        redis = RedisFixture.open();
        return redis.node().taskStore();
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
