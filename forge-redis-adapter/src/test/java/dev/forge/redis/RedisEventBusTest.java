package dev.forge.redis;

import dev.forge.events.EventBus;
import dev.forge.events.EventBusContract;
import org.junit.jupiter.api.AfterEach;

/** The event-bus contract against Redis; every test on its own key prefix. */
class RedisEventBusTest extends EventBusContract {

    private RedisFixture redis;

    @Override
    protected EventBus createBus() {
        redis = RedisFixture.open();
        return redis.node().eventBus();
    }

    @Override
    protected EventBus sameBackendBus() {
        return redis.node().eventBus();
    }

    @AfterEach
    void removeKeys() {
        if (redis != null) {
            redis.close();
        }
    }
}
