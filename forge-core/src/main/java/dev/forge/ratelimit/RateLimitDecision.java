package dev.forge.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * The result of asking for a permit, with what the {@code RateLimit-*} and {@code Retry-After}
 * headers need.
 *
 * @param allowed    whether the permit was granted
 * @param limit      the bucket's capacity
 * @param remaining  permits left after this call
 * @param resetAfter time until the bucket is full again
 * @param retryAfter time until the next permit; zero when allowed
 */
public record RateLimitDecision(boolean allowed, long limit, long remaining, Duration resetAfter,
        Duration retryAfter) {

    /** Validates the decision. */
    public RateLimitDecision {
        Objects.requireNonNull(resetAfter, "resetAfter");
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (limit < 1 || remaining < 0 || remaining > limit) {
            throw new IllegalArgumentException("need limit >= 1 and 0 <= remaining <= limit");
        }
    }
}
