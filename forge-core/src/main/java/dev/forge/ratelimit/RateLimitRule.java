package dev.forge.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * A bucket's shape: {@code permits} per {@code period}, refilled smoothly (one permit every
 * period / permits), starting full.
 */
public record RateLimitRule(int permits, Duration period) {

    /** Validates the rule. */
    public RateLimitRule {
        Objects.requireNonNull(period, "period");
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be >= 1, was " + permits);
        }
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive, was " + period);
        }
    }

    /** {@code permits} per minute. */
    public static RateLimitRule perMinute(int permits) {
        return new RateLimitRule(permits, Duration.ofMinutes(1));
    }
}
