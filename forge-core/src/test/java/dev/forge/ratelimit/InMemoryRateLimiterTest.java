package dev.forge.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.testing.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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

    @Test
    void tryAcquire_threadThatReadTheClockBeforeAnotherPermit_stillCountsDownByOne() throws Exception {
        // the late thread reads the clock at T and stalls; meanwhile the first permit is taken at
        // T + 1 ms. The late permit is the second: 8 remain, whatever time the thread read first
        // (it was 7 when that stale reading was kept: CI saw 9, 8, 6 from eight threads at once)
        StallingClock stalling = new StallingClock(clock);
        RateLimiter onStalling = new InMemoryRateLimiter(config(), stalling);
        CompletableFuture<RateLimitDecision> late = CompletableFuture.supplyAsync(() -> {
            stalling.stallFirstRead(Thread.currentThread());
            return onStalling.tryAcquire("alice", RateLimiter.BUILD_CREATE);
        });
        assertThat(stalling.stalled.await(10, TimeUnit.SECONDS)).as("the late thread read the clock").isTrue();

        clock.advance(Duration.ofMillis(1));
        RateLimitDecision first = onStalling.tryAcquire("alice", RateLimiter.BUILD_CREATE);
        stalling.release.countDown();

        assertThat(first.remaining()).isEqualTo(9);
        assertThat(late.get(10, TimeUnit.SECONDS).remaining()).isEqualTo(8);
    }

    /**
     * A clock over another whose first reading on one thread, outside the bucket cache, waits
     * after reading for a release. The cache's own readings pass: it reads the clock while it
     * holds one of its locks, which the other acquire needs.
     */
    private static final class StallingClock extends Clock {

        private final Clock time;
        private volatile Thread stalledThread;
        final CountDownLatch stalled = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        StallingClock(Clock time) {
            this.time = time;
        }

        void stallFirstRead(Thread thread) {
            stalledThread = thread;
        }

        @Override
        public long millis() {
            long millis = time.millis();
            if (Thread.currentThread() == stalledThread && !readByTheCache()) {
                stalledThread = null;
                stalled.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return millis;
        }

        private static boolean readByTheCache() {
            return StackWalker.getInstance()
                    .walk(frames -> frames.anyMatch(frame -> frame.getClassName().startsWith("com.github.benmanes.caffeine.")));
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public ZoneId getZone() {
            return time.getZone();
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}
