package dev.forge.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.forge.testing.Await;
import dev.forge.testing.Concurrently;
import dev.forge.testing.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * {@link #createLimiter} (a limiter with no state from other tests) and {@link #sameBackendLimiter}
 * (another limiter over the backend of the last {@code createLimiter}, same rules: a second node).
 *
 * <p>Time is the backend's. Tests that move the injected clock run only for adapters that
 * declare they honour it ({@link #honoursInjectedClock()}); the rest use real time, a fast rule
 * ({@value #FAST_PERMITS} per second) and generous bounds.
 *
 * <p>Rules used here: {@code build_create} 10 per minute (one permit every 6 s),
 * {@code analysis_create} 10 per minute, {@code request} 60 per minute, {@code fast} 5 per
 * second. Durations in decisions may be rounded up, to at most one second, by adapters whose
 * store counts in coarser units.
 */
public abstract class RateLimiterContract {

    /** Permits of the build rule in {@link #config()}. */
    protected static final int N = 10;
    /** The build rule's period. */
    protected static final Duration PERIOD = Duration.ofMinutes(1);
    /** One permit's worth of refill: PERIOD / N. */
    protected static final Duration INTERVAL = PERIOD.dividedBy(N);

    /** The fast rule's name: real-time tests use it. */
    protected static final String FAST = "fast";
    /** Permits of the fast rule, per second. */
    protected static final int FAST_PERMITS = 5;
    /** One permit's worth of refill of the fast rule. */
    protected static final Duration FAST_INTERVAL = Duration.ofSeconds(1).dividedBy(FAST_PERMITS);

    private static final String BUILD = RateLimiter.BUILD_CREATE;

    /** The clock handed to the limiter; tests move it only when {@link #honoursInjectedClock()}. */
    protected MutableClock clock;
    /** The limiter under test, first node, made by {@link #createLimiter} for each test. */
    protected RateLimiter limiter;
    private final List<RateLimiter> nodes = new CopyOnWriteArrayList<>();

    /**
     * Makes the limiter under test, fresh and with no state from other tests.
     *
     * @param config the rules
     * @param clock  the time source, for adapters that honour one; others use the backend's clock
     */
    protected abstract RateLimiter createLimiter(RateLimitConfig config, Clock clock);

    /** Another limiter over the backend of the last {@link #createLimiter}, same rules: a second node. */
    protected abstract RateLimiter sameBackendLimiter();

    /** True when the limiter measures time by the injected clock; the clock-moving tests need it. */
    protected boolean honoursInjectedClock() {
        return false;
    }

    /** The config every test runs with. */
    protected RateLimitConfig config() {
        return RateLimitConfig.custom()
                .rule(BUILD, RateLimitRule.perMinute(N))
                .rule(RateLimiter.ANALYSIS_CREATE, RateLimitRule.perMinute(N))
                .rule(RateLimiter.REQUEST, RateLimitRule.perMinute(60))
                .rule(FAST, new RateLimitRule(FAST_PERMITS, Duration.ofSeconds(1)))
                .build();
    }

    @BeforeEach
    void createLimiterUnderTest() {
        clock = MutableClock.startingAt2026();
        limiter = createLimiter(config(), clock);
    }

    @AfterEach
    void closeLimiter() {
        nodes.forEach(RateLimiter::close);
        limiter.close();
    }

    /** A second node over the same backend, closed after the test. */
    protected RateLimiter secondNode() {
        RateLimiter node = sameBackendLimiter();
        nodes.add(node);
        return node;
    }

    /**
     * The limiter for real-time tests: the one under test, or for an adapter that honours the
     * injected clock, one made on the system clock.
     */
    private RateLimiter realTimeLimiter() {
        if (!honoursInjectedClock()) {
            return limiter;
        }
        RateLimiter onSystemClock = createLimiter(config(), Clock.systemUTC());
        nodes.add(onSystemClock);
        return onSystemClock;
    }

    /** Moves the injected clock; skips the test for adapters on backend time. */
    private void advance(Duration duration) {
        assumeTrue(honoursInjectedClock(), "the adapter measures time by its backend's clock");
        clock.advance(duration);
    }

    private RateLimitDecision acquire(String key) {
        return limiter.tryAcquire(key, BUILD);
    }

    private void drain(String key) {
        for (int i = 0; i < N; i++) {
            assertThat(acquire(key).allowed()).as("permit %d of a full bucket", i + 1).isTrue();
        }
    }

    /**
     * Within rounding of {@code expected}; on backend time also allowing for the real time the
     * test itself took before the decision.
     */
    private void assertAbout(Duration actual, Duration expected) {
        Duration slack = honoursInjectedClock() ? Duration.ZERO : Duration.ofSeconds(2);
        assertThat(actual).isBetween(expected.minus(slack), expected.plusSeconds(1));
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

        advance(INTERVAL);

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

        advance(INTERVAL.minusMillis(1));
        assertThat(acquire("alice").allowed()).as("just before the refill").isFalse();
        advance(Duration.ofMillis(1));

        RateLimitDecision refilled = acquire("alice");
        assertThat(refilled.allowed()).isTrue();
        assertThat(refilled.remaining()).isZero();
        assertThat(acquire("alice").allowed()).isFalse();
    }

    @Test
    void tryAcquire_refillIsSmooth_onePermitPerInterval() {
        drain("alice");

        advance(INTERVAL.multipliedBy(3));

        assertThat(acquire("alice").remaining()).isEqualTo(2);
        assertThat(acquire("alice").remaining()).isEqualTo(1);
        assertThat(acquire("alice").remaining()).isZero();
        assertThat(acquire("alice").allowed()).isFalse();
    }

    @Test
    void tryAcquire_afterAFullPeriod_isFullAgainButNoFuller() {
        drain("alice");

        advance(PERIOD.multipliedBy(5));

        drain("alice");
        assertThat(acquire("alice").allowed()).isFalse();
    }

    @Test
    void tryAcquire_waitingRetryAfter_isEnough() {
        drain("alice");
        advance(Duration.ofMillis(1234));
        RateLimitDecision denied = acquire("alice");
        assertThat(denied.allowed()).isFalse();

        advance(denied.retryAfter());

        assertThat(acquire("alice").allowed()).isTrue();
    }

    @Test
    void tryAcquire_retryAfter_shrinksAsTimePasses() {
        drain("alice");
        Duration first = acquire("alice").retryAfter();

        advance(Duration.ofSeconds(2));
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

        advance(Duration.ofSeconds(15));
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

    // ---- real time (every adapter)

    /**
     * Hammering an empty bucket for a while: denials spend nothing (refilled permits keep being
     * handed out), and the total never exceeds a full bucket plus what refilled meanwhile.
     */
    @Test
    void realTime_deniedCallsSpendNothing_andRefillKeepsTheRate() {
        RateLimiter limiter = realTimeLimiter();
        long start = System.nanoTime();
        int allowed = 0;
        int denied = 0;
        long lastCallStarted;
        do {
            lastCallStarted = System.nanoTime();
            if (limiter.tryAcquire("alice", FAST).allowed()) {
                allowed++;
            } else {
                denied++;
            }
        } while (Duration.ofNanos(lastCallStarted - start).compareTo(FAST_INTERVAL.multipliedBy(4)) < 0);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        long refillsAtMost = elapsed.toNanos() / FAST_INTERVAL.toNanos() + 1;
        assertThat(denied).as("the bucket ran dry").isPositive();
        assertThat(allowed).as("refills were handed out despite the denials").isGreaterThan(FAST_PERMITS);
        assertThat((long) allowed).as("never more than full + refilled in %s", elapsed)
                .isLessThanOrEqualTo(FAST_PERMITS + refillsAtMost);
    }

    @Test
    void realTime_waitingRetryAfter_isEnough() {
        RateLimiter limiter = realTimeLimiter();
        for (int i = 0; i < FAST_PERMITS; i++) {
            limiter.tryAcquire("alice", FAST);
        }
        RateLimitDecision denied = limiter.tryAcquire("alice", FAST);
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.retryAfter()).isPositive().isLessThanOrEqualTo(FAST_INTERVAL.plusSeconds(1));
        long deniedAt = System.nanoTime();

        Await.until(() -> System.nanoTime() - deniedAt >= denied.retryAfter().toNanos(),
                denied.retryAfter().plusSeconds(5), "retryAfter to pass");

        assertThat(limiter.tryAcquire("alice", FAST).allowed()).isTrue();
    }

    // ---- two nodes over one backend

    @Test
    void twoNodes_aUsersBucketDrainedThroughBothHoldsTheLimitInTotal() throws Exception {
        RateLimiter other = secondNode();
        ConcurrentLinkedQueue<RateLimitDecision> allowed = new ConcurrentLinkedQueue<>();

        Concurrently.run(8, thread -> {
            RateLimiter node = thread % 2 == 0 ? limiter : other;
            for (int i = 0; i < 20; i++) {
                RateLimitDecision decision = node.tryAcquire("alice", BUILD);
                if (decision.allowed()) {
                    allowed.add(decision);
                }
            }
        });

        assertThat(allowed).hasSize(N);
        assertThat(allowed).extracting(RateLimitDecision::remaining)
                .containsExactlyInAnyOrder(9L, 8L, 7L, 6L, 5L, 4L, 3L, 2L, 1L, 0L);
        assertThat(other.tryAcquire("bob", BUILD).remaining()).as("another user's bucket").isEqualTo(N - 1);
    }

    @Test
    void twoNodes_aPermitTakenOnOneIsMissingOnTheOther() {
        RateLimiter other = secondNode();
        for (int i = 0; i < N - 1; i++) {
            assertThat(limiter.tryAcquire("alice", BUILD).allowed()).isTrue();
        }

        RateLimitDecision last = other.tryAcquire("alice", BUILD);
        RateLimitDecision none = limiter.tryAcquire("alice", BUILD);

        assertThat(last.allowed()).isTrue();
        assertThat(last.remaining()).isZero();
        assertThat(none.allowed()).isFalse();
    }
}
