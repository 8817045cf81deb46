package dev.forge.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RateLimiter} must do. An adapter's test extends this class and implements
 * {@link #createLimiter}; the limiter must read time from the given clock.
 *
 * <p>Rules used here: {@code build_create} 10 per minute (one permit every 6 s),
 * {@code analysis_create} 10 per minute, {@code request} 60 per minute. Durations in decisions
 * may be rounded up, to at most one second, by adapters whose store counts in coarser units.
 */
public abstract class RateLimiterContract {

    /** Permits of the build rule in {@link #config()}. */
    protected static final int N = 10;
    /** The build rule's period. */
    protected static final Duration PERIOD = Duration.ofMinutes(1);
    /** One permit's worth of refill: PERIOD / N. */
    protected static final Duration INTERVAL = PERIOD.dividedBy(N);

    private static final String BUILD = RateLimiter.BUILD_CREATE;

    /** The clock the limiter under test reads. */
    protected MutableClock clock;
    /** The limiter under test, made by {@link #createLimiter} for each test. */
    protected RateLimiter limiter;

    /**
     * Makes the limiter under test, fresh and with no state from other tests.
     *
     * @param config the rules
     * @param clock  the only source of time the limiter may use
     */
    protected abstract RateLimiter createLimiter(RateLimitConfig config, MutableClock clock);

    /** The config every test runs with. */
    protected RateLimitConfig config() {
        return RateLimitConfig.custom()
                .rule(BUILD, RateLimitRule.perMinute(N))
                .rule(RateLimiter.ANALYSIS_CREATE, RateLimitRule.perMinute(N))
                .rule(RateLimiter.REQUEST, RateLimitRule.perMinute(60))
                .build();
    }

    @BeforeEach
    void createLimiterUnderTest() {
        clock = MutableClock.startingAt2026();
        limiter = createLimiter(config(), clock);
    }

    @AfterEach
    void closeLimiter() {
        limiter.close();
    }

    private RateLimitDecision acquire(String key) {
        return limiter.tryAcquire(key, BUILD);
    }

    private void drain(String key) {
        for (int i = 0; i < N; i++) {
            assertThat(acquire(key).allowed()).as("permit %d of a full bucket", i + 1).isTrue();
        }
    }

    private static void assertAbout(Duration actual, Duration expected) {
        assertThat(actual).isBetween(expected, expected.plusSeconds(1));
    }

    @Test
    void tryAcquire_fullBucket_allowsNThenDenies() {
        drain("alice");

        RateLimitDecision denied = acquire("alice");

        assertThat(denied.allowed()).isFalse();
        assertThat(denied.remaining()).isZero();
        assertThat(denied.limit()).isEqualTo(N);
        assertAbout(denied.retryAfter(), INTERVAL);
    }

    @Test
    void tryAcquire_deniedAgain_deniesWithoutTakingAnything() {
        drain("alice");
        for (int i = 0; i < 5; i++) {
            assertThat(acquire("alice").allowed()).isFalse();
        }

        clock.advance(INTERVAL);

        // denials spent nothing: exactly the one permit that refilled is there
        assertThat(acquire("alice").allowed()).isTrue();
        assertThat(acquire("alice").allowed()).isFalse();
    }

    @Test
    void tryAcquire_remaining_countsDownFromNMinusOne() {
        List<Long> remaining = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            RateLimitDecision decision = acquire("alice");
            assertThat(decision.limit()).isEqualTo(N);
            assertThat(decision.retryAfter()).isZero();
            remaining.add(decision.remaining());
        }

        assertThat(remaining).containsExactly(9L, 8L, 7L, 6L, 5L, 4L, 3L, 2L, 1L, 0L);
    }

    @Test
    void tryAcquire_afterOneInterval_allowsExactlyOneMore() {
        drain("alice");

        clock.advance(INTERVAL.minusMillis(1));
        assertThat(acquire("alice").allowed()).as("just before the refill").isFalse();
        clock.advance(Duration.ofMillis(1));

        RateLimitDecision refilled = acquire("alice");
        assertThat(refilled.allowed()).isTrue();
        assertThat(refilled.remaining()).isZero();
        assertThat(acquire("alice").allowed()).isFalse();
    }

    @Test
    void tryAcquire_refillIsSmooth_onePermitPerInterval() {
        drain("alice");

        clock.advance(INTERVAL.multipliedBy(3));

        assertThat(acquire("alice").remaining()).isEqualTo(2);
        assertThat(acquire("alice").remaining()).isEqualTo(1);
        assertThat(acquire("alice").remaining()).isZero();
        assertThat(acquire("alice").allowed()).isFalse();
    }

    @Test
    void tryAcquire_afterAFullPeriod_isFullAgainButNoFuller() {
        drain("alice");

        clock.advance(PERIOD.multipliedBy(5));

        drain("alice");
        assertThat(acquire("alice").allowed()).isFalse();
    }

    @Test
    void tryAcquire_waitingRetryAfter_isEnough() {
        drain("alice");
        clock.advance(Duration.ofMillis(1234));
        RateLimitDecision denied = acquire("alice");
        assertThat(denied.allowed()).isFalse();

        clock.advance(denied.retryAfter());

        assertThat(acquire("alice").allowed()).isTrue();
    }

    @Test
    void tryAcquire_retryAfter_shrinksAsTimePasses() {
        drain("alice");
        Duration first = acquire("alice").retryAfter();

        clock.advance(Duration.ofSeconds(2));
        Duration later = acquire("alice").retryAfter();

        assertThat(later).isLessThan(first).isPositive();
    }

    @Test
    void tryAcquire_resetAfter_isTimeUntilFull() {
        RateLimitDecision first = acquire("alice");
        assertAbout(first.resetAfter(), INTERVAL);

        for (int i = 1; i < N; i++) {
            acquire("alice");
        }
        RateLimitDecision denied = acquire("alice");
        assertAbout(denied.resetAfter(), PERIOD);

        clock.advance(Duration.ofSeconds(15));
        RateLimitDecision afterWait = acquire("alice");
        assertThat(afterWait.allowed()).isTrue();
        // 45 s of debt left, plus the permit just taken
        assertAbout(afterWait.resetAfter(), Duration.ofSeconds(51));
    }

    @Test
    void tryAcquire_otherKey_hasItsOwnBucket() {
        drain("alice");

        RateLimitDecision bob = acquire("bob");

        assertThat(bob.allowed()).isTrue();
        assertThat(bob.remaining()).isEqualTo(N - 1);
        assertThat(acquire("alice").allowed()).isFalse();
    }

    @Test
    void tryAcquire_otherOperation_hasItsOwnBucket() {
        drain("alice");

        RateLimitDecision analysis = limiter.tryAcquire("alice", RateLimiter.ANALYSIS_CREATE);
        RateLimitDecision request = limiter.tryAcquire("alice", RateLimiter.REQUEST);

        assertThat(analysis.allowed()).isTrue();
        assertThat(analysis.remaining()).isEqualTo(N - 1);
        assertThat(request.allowed()).isTrue();
        assertThat(request.limit()).isEqualTo(60);
        assertThat(request.remaining()).isEqualTo(59);
    }

    @Test
    void tryAcquire_unknownOperation_throws() {
        assertThatThrownBy(() -> limiter.tryAcquire("alice", "launch_missiles"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("launch_missiles");
    }

    @Test
    void tryAcquire_concurrentCallers_neverExceedTheLimit() throws Exception {
        int threads = 8;
        int attemptsEach = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        ConcurrentLinkedQueue<RateLimitDecision> allowed = new ConcurrentLinkedQueue<>();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    for (int i = 0; i < attemptsEach; i++) {
                        RateLimitDecision decision = acquire("alice");
                        if (decision.allowed()) {
                            allowed.add(decision);
                        }
                    }
                    return null;
                }));
            }
            assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
            go.countDown();
            for (Future<?> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(allowed).hasSize(N);
        // each permit was handed out once: every remaining count from N-1 down to 0 appears once
        assertThat(allowed).extracting(RateLimitDecision::remaining)
                .containsExactlyInAnyOrder(9L, 8L, 7L, 6L, 5L, 4L, 3L, 2L, 1L, 0L);
    }

    @Test
    void tryAcquire_concurrentCallersOnManyKeys_eachKeyGetsExactlyN() throws Exception {
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < 3 * N; i++) {
                        for (int k = 0; k < 5; k++) {
                            String key = "user-" + k;
                            if (acquire(key).allowed()) {
                                counts.computeIfAbsent(key, x -> new AtomicInteger())
                                        .incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(counts).hasSize(5);
        assertThat(counts.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(N));
    }
}
