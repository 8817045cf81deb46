package dev.forge.redis;

import dev.forge.ratelimit.RateLimitConfig;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.ratelimit.RateLimiterContract;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;

/**
 * The rate-limiter contract against Redis, which measures windows by Redis time (the injected
 * clock is not honoured); every test on its own key prefix, the second node a second backend.
 */
class RedisRateLimiterTest extends RateLimiterContract {

    private RedisFixture redis;
    private RateLimitConfig config;

    @Override
    protected RateLimiter createLimiter(RateLimitConfig rules, Clock clock) {
        redis = RedisFixture.open();
        config = rules;
        return redis.node().rateLimiter(rules);
    }

    @Override
    protected RateLimiter sameBackendLimiter() {
        return redis.node().rateLimiter(config);
    }

    @AfterEach
    void removeKeys() {
        if (redis != null) {
            redis.close();
        }
    }
}
