package dev.forge.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Model-based: random sequences of (advance the clock, acquire) against a reference token bucket
 * written the other way round - a credit counter that refills with elapsed time and is spent one
 * interval per permit - in exact integer nanoseconds. The limiter keeps a single "theoretical
 * arrival time" instead; the two formulations are equivalent, so every decision must match.
 */
class InMemoryRateLimiterProperties {

    private static final String OP = "op";
    private static final long NANOS_PER_MILLI = 1_000_000L;

    /** One step: move the clock by {@code advancePermille} thousandths of an interval, acquire. */
    record Step(int advancePermille, boolean retryWhenDenied) {
    }

    @Property(tries = 300)
    void tryAcquire_matchesReferenceBucket_andRespectsTheWindowBound(
            @ForAll @IntRange(min = 1, max = 20) int permits,
            @ForAll("periodsMillis") long periodMillis,
            @ForAll("steps") List<Step> steps) {
        MutableClock clock = MutableClock.startingAt2026();
        RateLimitConfig config = RateLimitConfig.custom()
                .rule(OP, new RateLimitRule(permits, Duration.ofMillis(periodMillis))).build();
        RateLimiter limiter = new InMemoryRateLimiter(config, clock);
        ReferenceBucket model = new ReferenceBucket(permits, periodMillis * NANOS_PER_MILLI, clock.millis());
        List<Long> allowedAtMillis = new ArrayList<>();

        for (Step step : steps) {
            long advance = Math.max(0, periodMillis * step.advancePermille() / (1000L * permits));
            clock.advance(Duration.ofMillis(advance));
            RateLimitDecision decision = acquireAndCompare(limiter, model, clock, allowedAtMillis);

            if (!decision.allowed() && step.retryWhenDenied()) {
                // a caller who waits what it was told is then let in
                clock.advance(decision.retryAfter());
                RateLimitDecision retried = acquireAndCompare(limiter, model, clock, allowedAtMillis);
                assertThat(retried.allowed()).as("allowed after waiting retryAfter %s", decision.retryAfter())
                        .isTrue();
            }
        }

        assertWindowBound(allowedAtMillis, permits, model.interval);
    }

    private static RateLimitDecision acquireAndCompare(RateLimiter limiter, ReferenceBucket model,
            MutableClock clock, List<Long> allowedAtMillis) {
        RateLimitDecision actual = limiter.tryAcquire("alice", OP);
        RateLimitDecision expected = model.acquire(clock.millis());
        assertThat(actual).as("at +%d ms", clock.millis() - MutableClock.startingAt2026().millis())
                .isEqualTo(expected);
        if (actual.allowed()) {
            allowedAtMillis.add(clock.millis());
            assertThat(actual.retryAfter()).isZero();
        } else {
            assertThat(actual.retryAfter()).isPositive();
            assertThat(actual.remaining()).isZero();
        }
        return actual;
    }

    /**
     * The token bucket's guarantee, checked on the allowed timestamps alone: any k+1 grants
     * (the i-th and the (i+k)-th and everything between) span at least (k - (permits - 1))
     * intervals. Equivalently, a window of length W holds at most permits + floor(W / interval)
     * grants - a full burst plus what refilled meanwhile. For a window of one period that is up
     * to 2 * permits - 1, not permits: that is what "starting full with smooth refill" means,
     * and a sliding-window-log limiter would be a different algorithm.
     */
    private static void assertWindowBound(List<Long> allowedAtMillis, int permits, long intervalNanos) {
        for (int i = 0; i < allowedAtMillis.size(); i++) {
            for (int j = i + permits; j < allowedAtMillis.size(); j++) {
                long spanNanos = (allowedAtMillis.get(j) - allowedAtMillis.get(i)) * NANOS_PER_MILLI;
                long needed = (long) (j - i - (permits - 1)) * intervalNanos;
                assertThat(spanNanos).as("grants #%d..#%d", i, j).isGreaterThanOrEqualTo(needed);
            }
        }
    }

    @Provide
    Arbitrary<Long> periodsMillis() {
        return Arbitraries.oneOf(
                Arbitraries.of(1L, 3L, 999L, 1_000L, 7_000L, 60_000L),
                Arbitraries.longs().between(1, 600_000));
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Integer> permille = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(0)),
                Tuple.of(4, Arbitraries.integers().between(0, 1_200)),
                Tuple.of(1, Arbitraries.integers().between(0, 25_000)));
        return Combinators.combine(permille, Arbitraries.of(true, false)).as(Step::new)
                .list().ofMinSize(1).ofMaxSize(150);
    }

    /**
     * The reference: credit in nanoseconds, capped at permits intervals, refilled by elapsed
     * time, spent one interval per permit. It starts full.
     */
    static final class ReferenceBucket {
        final int permits;
        final long interval;
        final long capacity;
        long credit;
        long lastMillis;

        ReferenceBucket(int permits, long periodNanos, long nowMillis) {
            this.permits = permits;
            this.interval = periodNanos / permits;
            this.capacity = interval * permits;
            this.credit = capacity;
            this.lastMillis = nowMillis;
        }

        RateLimitDecision acquire(long nowMillis) {
            long elapsed = Math.max(0, nowMillis - lastMillis) * NANOS_PER_MILLI;
            lastMillis = Math.max(lastMillis, nowMillis);
            credit = Math.min(capacity, credit + elapsed);
            if (credit >= interval) {
                credit -= interval;
                return new RateLimitDecision(true, permits, credit / interval,
                        ceilMillis(capacity - credit), Duration.ZERO);
            }
            return new RateLimitDecision(false, permits, 0, ceilMillis(capacity - credit),
                    ceilMillis(interval - credit));
        }

        private static Duration ceilMillis(long nanos) {
            return Duration.ofMillis((nanos + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI);
        }
    }
}
