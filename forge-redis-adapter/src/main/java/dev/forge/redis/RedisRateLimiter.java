package dev.forge.redis;

import dev.forge.ratelimit.RateLimitConfig;
import dev.forge.ratelimit.RateLimitDecision;
import dev.forge.ratelimit.RateLimitRule;
import dev.forge.ratelimit.RateLimiter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link RateLimiter} whose buckets live in Redis, so a user's limit holds in total across
 * every node. The same bucket semantics as the in-memory limiter (GCRA: smooth refill of one
 * permit every period / permits, starting full, denials take nothing), one Lua script per
 * acquire, measured in Redis {@code TIME} (microseconds) - the injected clock of the in-memory
 * limiter has no counterpart here. A bucket's key expires once it would be full again, so idle
 * users leave nothing behind. Decision durations are rounded up to whole milliseconds.
 *
 * <p>Made by {@link RedisBackend#rateLimiter(RateLimitConfig)}.
 */
public final class RedisRateLimiter implements RateLimiter {

    private static final LuaScript ACQUIRE = LuaScript.load("rate_acquire");
    private static final long MICROS_PER_MILLI = 1000;

    private final RedisCommands redis;
    private final Map<String, Rule> rules;

    RedisRateLimiter(RedisCommands redis, RateLimitConfig config) {
        this.redis = Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(config, "config");
        Map<String, Rule> byName = new HashMap<>();
        config.rules().forEach((name, rule) -> byName.put(name, new Rule(rule)));
        this.rules = Map.copyOf(byName);
    }

    /**
     * {@inheritDoc}
     *
     * @throws dev.forge.InfrastructureException if Redis fails
     */
    @Override
    public RateLimitDecision tryAcquire(String key, String operation) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(operation, "operation");
        Rule rule = rules.get(operation);
        if (rule == null) {
            throw new IllegalArgumentException("no rate-limit rule for operation '" + operation
                    + "'; configured: " + rules.keySet());
        }
        // shared pipeline: concurrent requests' checks share a round trip
        List<?> reply = (List<?>) redis.evalShared(ACQUIRE,
                List.of(redis.keys().rateBucket(operation, key)),
                List.of(Long.toString(rule.interval), Long.toString(rule.limit)));
        boolean allowed = (Long) reply.get(0) == 1L;
        if (allowed) {
            long used = (Long) reply.get(1);
            return new RateLimitDecision(true, rule.limit, (rule.capacity - used) / rule.interval,
                    ceilMillis(used), Duration.ZERO);
        }
        long untilFull = (Long) reply.get(1);
        long wait = (Long) reply.get(2);
        return new RateLimitDecision(false, rule.limit, 0, ceilMillis(untilFull), ceilMillis(wait));
    }

    private static Duration ceilMillis(long micros) {
        return Duration.ofMillis((Math.max(0, micros) + MICROS_PER_MILLI - 1) / MICROS_PER_MILLI);
    }

    /** One rule in microseconds. */
    private static final class Rule {
        final long limit;
        final long interval;
        final long capacity;

        Rule(RateLimitRule rule) {
            this.limit = rule.permits();
            // at least 1 us: a rule faster than a million permits a second is not limiting much
            this.interval = Math.max(1, rule.period().toNanos() / 1000 / rule.permits());
            this.capacity = interval * limit;
        }
    }
}
