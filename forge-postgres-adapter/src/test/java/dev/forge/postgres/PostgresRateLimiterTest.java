package dev.forge.postgres;

import dev.forge.ratelimit.RateLimitConfig;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.ratelimit.RateLimiterContract;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The rate limiter contract against PostgreSQL, in a schema of its own. The limiter measures
 * time by the database's clock, so the clock-moving tests do not apply.
 */
class PostgresRateLimiterTest extends RateLimiterContract {

    @RegisterExtension
    static final OneDatabasePerClass DATABASE = new OneDatabasePerClass();
    private RateLimitConfig lastConfig;

    @Override
    protected RateLimiter createLimiter(RateLimitConfig config, Clock clock) {
        DATABASE.get().clean();
        lastConfig = config;
        return new PostgresRateLimiter(DATABASE.get().sql(), config);
    }

    @Override
    protected RateLimiter sameBackendLimiter() {
        return new PostgresRateLimiter(DATABASE.get().secondNode().sql(), lastConfig);
    }
}
