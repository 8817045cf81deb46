package dev.forge.ratelimit;

/**
 * Port: per-key token buckets, one bucket per (key, operation). An empty bucket is an expected
 * outcome, returned as a denied decision with the wait until the next permit.
 * Implementations never take a global lock.
 *
 * <p><b>Time.</b> Refill is measured by the backend's clock (for a shared backend its own time,
 * e.g. Redis {@code TIME} inside the script), so every node sharing the backend drains and refills
 * the same bucket at the same rate whatever the skew between nodes. An injected clock is honoured
 * only by adapters that say so ({@link InMemoryRateLimiter}, whose backend is this JVM).
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
