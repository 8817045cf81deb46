package dev.forge.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.testing.MutableClock;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The in-memory limiter against the shared contract, including the clock-moving tests (it
 * honours the injected clock) and two nodes made by {@link InMemoryRateLimiter#sharing}.
 */
class InMemoryRateLimiterTest extends RateLimiterContract {

    @Override
    protected RateLimiter createLimiter(RateLimitConfig config, Clock clock) {
        return new InMemoryRateLimiter(config, clock);
    }

    @Override
    protected RateLimiter sameBackendLimiter() {
        return InMemoryRateLimiter.sharing((InMemoryRateLimiter) limiter);
    }

    @Override
    protected boolean honoursInjectedClock() {
        return true;
    }

    @Test
    void tryAcquire_idleBucket_isDroppedAfterIdleExpiry() {
        InMemoryRateLimiter inMemory = (InMemoryRateLimiter) limiter;
        limiter.tryAcquire("alice", RateLimiter.BUILD_CREATE);
        limiter.tryAcquire("bob", RateLimiter.BUILD_CREATE);
        assertThat(inMemory.bucketCount(RateLimiter.BUILD_CREATE)).isEqualTo(2);

        clock.advance(config().idleExpiry().minusSeconds(1));
        limiter.tryAcquire("bob", RateLimiter.BUILD_CREATE);
        clock.advance(Duration.ofSeconds(2));

        assertThat(inMemory.bucketCount(RateLimiter.BUILD_CREATE)).as("bob was used recently").isEqualTo(1);
        assertThat(inMemory.bucketCount(RateLimiter.REQUEST)).isZero();
    }

    @Test
    void tryAcquire_rateThatIsNotAWholeNumberOfMillis_roundsDurationsUp() {
        // 7 per minute: one permit every 8571.428571 ms
        RateLimitConfig sevens = RateLimitConfig.custom().rule("sevens", RateLimitRule.perMinute(7)).build();
        RateLimiter limiter = new InMemoryRateLimiter(sevens, clock);
        for (int i = 0; i < 7; i++) {
            assertThat(limiter.tryAcquire("alice", "sevens").allowed()).isTrue();
        }

        RateLimitDecision denied = limiter.tryAcquire("alice", "sevens");
        assertThat(denied.retryAfter()).isEqualTo(Duration.ofMillis(8572));
        clock.advance(Duration.ofMillis(8571));
        assertThat(limiter.tryAcquire("alice", "sevens").allowed()).isFalse();
        clock.advance(Duration.ofMillis(1));

        assertThat(limiter.tryAcquire("alice", "sevens").allowed()).isTrue();
    }

    @Test
    void withDefaults_usesTheDefaultRules() {
        RateLimiter defaults = InMemoryRateLimiter.withDefaults(clock);

        assertThat(defaults.tryAcquire("a", RateLimiter.BUILD_CREATE).limit()).isEqualTo(10);
        assertThat(defaults.tryAcquire("a", RateLimiter.ANALYSIS_CREATE).limit()).isEqualTo(10);
        assertThat(defaults.tryAcquire("a", RateLimiter.REQUEST).limit()).isEqualTo(60);
    }
}
