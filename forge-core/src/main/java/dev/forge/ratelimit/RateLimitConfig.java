package dev.forge.ratelimit;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Immutable rate-limit settings: one {@link RateLimitRule} per operation, and how long an idle
 * bucket is kept. Defaults live here, once: {@value RateLimiter#BUILD_CREATE} and
 * {@value RateLimiter#ANALYSIS_CREATE} 10 per minute, {@value RateLimiter#REQUEST} 60 per minute.
 */
public final class RateLimitConfig {

    /** Per-user build creations per minute by default. */
    public static final int DEFAULT_BUILD_CREATE_PER_MINUTE = 10;
    /** Per-user analysis creations per minute by default. */
    public static final int DEFAULT_ANALYSIS_CREATE_PER_MINUTE = 10;
    /** Per-user requests per minute by default. */
    public static final int DEFAULT_REQUEST_PER_MINUTE = 60;
    /** Idle time after which a bucket is dropped by default (raised to the longest period). */
    public static final Duration DEFAULT_IDLE_EXPIRY = Duration.ofMinutes(5);

    // operation names become parts of storage keys (e.g. in Redis), so keep them plain
    private static final Pattern OPERATION = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    private static final RateLimitConfig DEFAULTS = custom().build();

    private final Map<String, RateLimitRule> rules;
    private final Duration idleExpiry;

    private RateLimitConfig(Map<String, RateLimitRule> rules, Duration idleExpiry) {
        this.rules = Map.copyOf(rules);
        this.idleExpiry = idleExpiry;
    }

    /** The defaults: build and analysis creation 10/min, requests 60/min, idle expiry 5 min. */
    public static RateLimitConfig ofDefaults() {
        return DEFAULTS;
    }

    /** A builder that starts from the defaults; {@link Builder#rule} adds or replaces a rule. */
    public static Builder custom() {
        return new Builder();
    }

    /** A builder that starts from {@code config}. */
    public static Builder from(RateLimitConfig config) {
        Objects.requireNonNull(config, "config");
        Builder builder = new Builder();
        builder.rules.clear();
        builder.rules.putAll(config.rules);
        builder.idleExpiry = config.idleExpiry;
        return builder;
    }

    /** Every operation's rule. */
    public Map<String, RateLimitRule> rules() {
        return rules;
    }

    /** The rule for {@code operation}, or empty when none is configured. */
    public Optional<RateLimitRule> rule(String operation) {
        return Optional.ofNullable(rules.get(operation));
    }

    /**
     * How long a bucket may go unused before it is dropped. Never shorter than the longest rule
     * period, so a bucket is only ever dropped once it has refilled - dropping it then changes
     * nothing a caller can observe.
     */
    public Duration idleExpiry() {
        return idleExpiry;
    }

    @Override
    public String toString() {
        return "RateLimitConfig" + rules + ", idleExpiry=" + idleExpiry;
    }

    /** Builds a {@link RateLimitConfig}; every bad value fails fast, naming it. */
    public static final class Builder {

        private final Map<String, RateLimitRule> rules = new LinkedHashMap<>();
        private Duration idleExpiry;

        private Builder() {
            rules.put(RateLimiter.BUILD_CREATE, RateLimitRule.perMinute(DEFAULT_BUILD_CREATE_PER_MINUTE));
            rules.put(RateLimiter.ANALYSIS_CREATE, RateLimitRule.perMinute(DEFAULT_ANALYSIS_CREATE_PER_MINUTE));
            rules.put(RateLimiter.REQUEST, RateLimitRule.perMinute(DEFAULT_REQUEST_PER_MINUTE));
        }

        /**
         * Sets the rule for {@code operation} (a name matching {@code [a-z][a-z0-9_]{0,63}}).
         *
         * @throws IllegalArgumentException if the name is not of that form, or the rule refills
         *                                  faster than one permit per nanosecond
         */
        public Builder rule(String operation, RateLimitRule rule) {
            Objects.requireNonNull(operation, "operation");
            Objects.requireNonNull(rule, "rule");
            if (!OPERATION.matcher(operation).matches()) {
                throw new IllegalArgumentException(
                        "operation must match " + OPERATION.pattern() + ", was '" + operation + "'");
            }
            if (rule.period().toNanos() / rule.permits() < 1) {
                throw new IllegalArgumentException("rule for " + operation + " refills faster than one permit"
                        + " per nanosecond: " + rule.permits() + " per " + rule.period());
            }
            rules.put(operation, rule);
            return this;
        }

        /**
         * How long an unused bucket is kept; must be positive and at least the longest rule
         * period. Default: {@link #DEFAULT_IDLE_EXPIRY}, or the longest period if that is longer.
         */
        public Builder idleExpiry(Duration idleExpiry) {
            Objects.requireNonNull(idleExpiry, "idleExpiry");
            if (idleExpiry.isNegative() || idleExpiry.isZero()) {
                throw new IllegalArgumentException("idleExpiry must be positive, was " + idleExpiry);
            }
            this.idleExpiry = idleExpiry;
            return this;
        }

        /**
         * Builds the config.
         *
         * @throws IllegalArgumentException if the idle expiry is shorter than some rule's period
         */
        public RateLimitConfig build() {
            Duration longest = rules.values().stream().map(RateLimitRule::period)
                    .max(Duration::compareTo).orElse(Duration.ZERO);
            Duration expiry = idleExpiry;
            if (expiry == null) {
                expiry = longest.compareTo(DEFAULT_IDLE_EXPIRY) > 0 ? longest : DEFAULT_IDLE_EXPIRY;
            } else if (expiry.compareTo(longest) < 0) {
                // dropping a half-empty bucket would hand its owner a full one early
                throw new IllegalArgumentException("idleExpiry " + expiry
                        + " is shorter than the longest rule period " + longest);
            }
            return new RateLimitConfig(rules, expiry);
        }
    }
}
