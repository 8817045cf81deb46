package dev.forge.ratelimit;

import java.time.Clock;

/**
 * The contract as an adapter on backend time runs it: the in-memory limiter on the system clock,
 * declaring no injected clock, so the clock-moving tests are skipped and the real-time ones
 * decide. Keeps the backend-time half of the suite honest before a Redis or PostgreSQL limiter
 * depends on it.
 */
class InMemoryRateLimiterOnSystemClockTest extends RateLimiterContract {

    @Override
    protected RateLimiter createLimiter(RateLimitConfig config, Clock clock) {
        return new InMemoryRateLimiter(config, Clock.systemUTC());
    }

    @Override
    protected RateLimiter sameBackendLimiter() {
        return InMemoryRateLimiter.sharing((InMemoryRateLimiter) limiter);
    }
}
