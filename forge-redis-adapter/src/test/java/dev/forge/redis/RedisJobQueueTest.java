package dev.forge.redis;

import dev.forge.queue.JobQueue;
import dev.forge.queue.JobQueueContract;
import org.junit.jupiter.api.AfterEach;

/**
 * The job-queue contract against Redis; every test on its own key prefix. The second node is a
 * second {@link RedisBackend} (its own pool and subscriber connection) over the same keys.
 */
class RedisJobQueueTest extends JobQueueContract {

    private RedisFixture redis;

    @Override
    protected JobQueue createQueue() {
        redis = RedisFixture.open();
        return redis.node().jobQueue();
    }

    @Override
    protected JobQueue sameBackendQueue() {
        return redis.node().jobQueue();
    }

    @AfterEach
    void removeKeys() {
        if (redis != null) {
            redis.close();
        }
    }
}
