package dev.forge.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A {@link RateLimiter} for one process: a token bucket per (key, operation) with smooth refill
 * (one permit every period / permits), starting full.
 *
 * <p>Each bucket is the Generic Cell Rate Algorithm: a single {@link AtomicLong} holding the
 * "theoretical arrival time" (TAT) in nanoseconds, advanced by compare-and-set. There is no lock
 * of any kind, global or per bucket; a denied call writes nothing. Buckets live in one Caffeine
 * cache per operation, keyed by the caller's key, and are dropped after
 * {@link RateLimitConfig#idleExpiry()} without use - by then they have refilled, so dropping them
 * is invisible. Time comes from the injected {@link Clock} (milliseconds), which this adapter
 * honours because its backend is this JVM; decisions' durations
 * are rounded up to whole milliseconds so that waiting {@code retryAfter} on that clock is always
 * enough.
 */
public final class InMemoryRateLimiter implements RateLimiter {

    private static final long NANOS_PER_MILLI = 1_000_000L;

    private final Map<String, Operation> operations;

    /** A limiter for {@code config}'s rules on {@code clock}. */
    public InMemoryRateLimiter(RateLimitConfig config, Clock clock) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clock, "clock");
        // buckets and Caffeine's expiry both run on the injected clock, so tests can age buckets out
        Ticker ticker = () -> clock.millis() * NANOS_PER_MILLI;
        Map<String, Operation> byName = new HashMap<>();
        config.rules().forEach((name, rule) -> byName.put(name, new Operation(rule, config.idleExpiry(), ticker)));
        this.operations = Map.copyOf(byName);
    }

    private InMemoryRateLimiter(InMemoryRateLimiter other) {
        this.operations = other.operations;
    }

    /**
     * Another limiter over the same buckets, rules and clock as {@code other}: a second node on
     * one backend, so a user's permits are shared between the two.
     */
    public static InMemoryRateLimiter sharing(InMemoryRateLimiter other) {
        return new InMemoryRateLimiter(Objects.requireNonNull(other, "other"));
    }

    /** A limiter with {@link RateLimitConfig#ofDefaults()} on {@code clock}. */
    public static InMemoryRateLimiter withDefaults(Clock clock) {
        return new InMemoryRateLimiter(RateLimitConfig.ofDefaults(), clock);
    }

    @Override
    public RateLimitDecision tryAcquire(String key, String operation) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(operation, "operation");
        Operation op = operations.get(operation);
        if (op == null) {
            throw new IllegalArgumentException("no rate-limit rule for operation '" + operation
                    + "'; configured: " + operations.keySet());
        }
        return op.tryAcquire(key);
    }

    /** Live buckets for {@code operation} after pending expiry; for tests. */
    long bucketCount(String operation) {
        Cache<String, AtomicLong> buckets = operations.get(operation).buckets;
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    /** One operation's rule, in nanoseconds, and its buckets. */
    private static final class Operation {

        // a TAT at or before "now" means a full bucket; 0 is before any real clock reading
        private static final Function<String, AtomicLong> NEW_BUCKET = key -> new AtomicLong(0L);

        private final long limit;
        private final long interval;
        private final long capacity;
        /** The injected clock in nanoseconds: the buckets' time and their cache's. */
        private final Ticker ticker;
        private final Cache<String, AtomicLong> buckets;

        Operation(RateLimitRule rule, Duration idleExpiry, Ticker ticker) {
            this.limit = rule.permits();
            this.interval = rule.period().toNanos() / rule.permits();
            // interval * permits, not the period itself, so that integer division cannot let a
            // full bucket hold a fraction of an extra permit
            this.capacity = interval * rule.permits();
            this.ticker = ticker;
            this.buckets = Caffeine.newBuilder()
                    .expireAfterAccess(idleExpiry)
                    .ticker(ticker)
                    .executor(Runnable::run)
                    .build();
        }

        RateLimitDecision tryAcquire(String key) {
            AtomicLong tat = buckets.get(key, NEW_BUCKET);
            while (true) {
                // the bucket first, then the clock, on every try: a permit granted by this CAS
                // then sees a time no earlier than the one behind the permit before it, so the
                // permits' "remaining" count down one by one. A clock read before the bucket can
                // be older than the last permit's (this thread was descheduled in between) and
                // would report one permit fewer than the bucket holds.
                long current = tat.get();
                long now = ticker.read();
                long next = Math.max(current, now) + interval;
                long used = next - now;
                if (used > capacity) {
                    // empty: current > now here, and one interval must drain before a permit
                    return new RateLimitDecision(false, limit, 0,
                            ceilMillis(current - now), ceilMillis(used - capacity));
                }
                if (tat.compareAndSet(current, next)) {
                    return new RateLimitDecision(true, limit, (capacity - used) / interval,
                            ceilMillis(used), Duration.ZERO);
                }
            }
        }

        private static Duration ceilMillis(long nanos) {
            long millis = (nanos + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI;
            return Duration.ofMillis(millis);
        }
    }
}
