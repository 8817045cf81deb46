package dev.forge.redis;

import dev.forge.lock.ClusterLock;
import dev.forge.lock.ClusterLockContract;
import org.junit.jupiter.api.AfterEach;

/** The cluster-lock contract against Redis; every test on its own key prefix. */
class RedisClusterLockTest extends ClusterLockContract {

    private RedisFixture redis;

    @Override
    protected ClusterLock createLock() {
        redis = RedisFixture.open();
        return redis.node().clusterLock();
    }

    @Override
    protected ClusterLock sameBackendLock() {
        return redis.node().clusterLock();
    }

    @AfterEach
    void removeKeys() {
        if (redis != null) {
            redis.close();
        }
    }
}
