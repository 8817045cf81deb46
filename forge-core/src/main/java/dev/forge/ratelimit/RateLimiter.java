package dev.forge.ratelimit;

/**
 * Port: per-key token buckets, one bucket per (key, operation). An empty bucket is an expected
 * outcome, returned as a denied decision with the wait until the next permit.
 * Implementations never take a global lock.
 */
public interface RateLimiter extends AutoCloseable {

    /** Build creations per user. */
    String BUILD_CREATE = "build_create";
    /** Analysis creations per user. */
    String ANALYSIS_CREATE = "analysis_create";
    /** Every authenticated request per user. */
    String REQUEST = "request";

    /**
     * Takes one permit for {@code key} (a user id) under {@code operation}'s rule.
     *
     * @throws IllegalArgumentException if no rule is configured for {@code operation}
     */
    RateLimitDecision tryAcquire(String key, String operation);

    /** Releases resources; the default does nothing. */
    @Override
    default void close() {
    }
}
