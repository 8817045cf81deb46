package dev.forge.postgres;

import dev.forge.ratelimit.RateLimitConfig;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.ratelimit.RateLimiterContract;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The rate limiter contract against PostgreSQL, in a schema of its own. The limiter measures
 * time by the database's clock, so the clock-moving tests do not apply.
 */
class PostgresRateLimiterTest extends RateLimiterContract {

    private static PostgresTestDatabase db;
    private RateLimitConfig lastConfig;

    @BeforeAll
    static void openDatabase() {
        db = PostgresTestDatabase.create();
    }

    @AfterAll
    static void dropDatabase() {
        if (db != null) {
            db.close();
        }
    }

    @Override
    protected RateLimiter createLimiter(RateLimitConfig config, Clock clock) {
        db.clean();
        lastConfig = config;
        return new PostgresRateLimiter(db.sql(), config);
    }

    @Override
    protected RateLimiter sameBackendLimiter() {
        return new PostgresRateLimiter(db.secondNode().sql(), lastConfig);
    }
}
