package dev.forge.postgres;

import dev.forge.ratelimit.RateLimitConfig;
import dev.forge.ratelimit.RateLimitDecision;
import dev.forge.ratelimit.RateLimitRule;
import dev.forge.ratelimit.RateLimiter;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link RateLimiter} whose buckets are rows, shared by every node: the same Generic Cell
 * Rate Algorithm as the in-memory limiter (one "theoretical arrival time" per bucket, in
 * nanoseconds), decided by one atomic upsert per call on the database's clock
 * ({@code clock_timestamp()}), so nodes with skewed clocks still share one limit. A denied call
 * leaves the bucket's time as it was.
 *
 * <p>A bucket whose time has passed is full, so deleting it changes nothing anyone can observe;
 * every 1,024th call deletes such rows, which keeps the table as small as the set of users who
 * are actually being limited.
 */
public final class PostgresRateLimiter implements RateLimiter {

    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final int SWEEP_EVERY = 1_024;

    private final Sql sql;
    private final RateLimitConfig config;
    private final String acquireSql;
    private final String sweepSql;
    private final AtomicLong calls = new AtomicLong();

    PostgresRateLimiter(Sql sql, RateLimitConfig config) {
        this.sql = sql;
        this.config = Objects.requireNonNull(config, "config");
        String buckets = sql.table("rate_buckets");
        // The stored tat moves to max(tat, now) + interval only when that stays within capacity
        // of now. "now" is read before the row lock is taken, so a call that waited for another
        // could carry an earlier time than the one that went first; the bucket's own
        // checked_at keeps its time from going backwards (else two callers could be told the
        // same "remaining").
        String now = "greatest(b.checked_at, excluded.checked_at)";
        this.acquireSql = "WITH c AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000000000)::bigint AS now)"
                + " INSERT INTO " + buckets + " AS b (operation, bucket_key, tat, allowed, checked_at)"
                + " SELECT ?, ?, c.now + ?, true, c.now FROM c"
                + " ON CONFLICT (operation, bucket_key) DO UPDATE SET"
                + " allowed = greatest(b.tat, " + now + ") + ? - " + now + " <= ?,"
                + " tat = CASE WHEN greatest(b.tat, " + now + ") + ? - " + now + " <= ?"
                + " THEN greatest(b.tat, " + now + ") + ? ELSE b.tat END,"
                + " checked_at = " + now
                + " RETURNING tat, allowed, checked_at";
        this.sweepSql = "DELETE FROM " + buckets
                + " WHERE tat < (extract(epoch FROM clock_timestamp()) * 1000000000)::bigint";
    }

    @Override
    public RateLimitDecision tryAcquire(String key, String operation) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(operation, "operation");
        RateLimitRule rule = config.rule(operation).orElseThrow(() -> new IllegalArgumentException(
                "no rate-limit rule for operation '" + operation + "'; configured: "
                        + config.rules().keySet()));
        long interval = rule.period().toNanos() / rule.permits();
        // interval * permits, not the period, so a full bucket never holds part of an extra permit
        long capacity = interval * rule.permits();
        if (calls.incrementAndGet() % SWEEP_EVERY == 0) {
            sweep();
        }
        return sql.run("take a rate-limit permit", c -> {
            try (PreparedStatement statement = sql.prepare(c, acquireSql)) {
                statement.setString(1, operation);
                statement.setString(2, key);
                statement.setLong(3, interval);
                statement.setLong(4, interval);
                statement.setLong(5, capacity);
                statement.setLong(6, interval);
                statement.setLong(7, capacity);
                statement.setLong(8, interval);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    long tat = rows.getLong(1);
                    boolean allowed = rows.getBoolean(2);
                    long now = rows.getLong(3);
                    return decision(rule.permits(), interval, capacity, tat, allowed, now);
                }
            }
        });
    }

    private static RateLimitDecision decision(int limit, long interval, long capacity, long tat,
            boolean allowed, long now) {
        long used = Math.max(0, tat - now);
        if (allowed) {
            return new RateLimitDecision(true, limit, Math.max(0, (capacity - used) / interval),
                    ceilMillis(used), Duration.ZERO);
        }
        return new RateLimitDecision(false, limit, 0, ceilMillis(used),
                ceilMillis(used + interval - capacity));
    }

    private void sweep() {
        sql.run("drop full rate-limit buckets", c -> {
            try (PreparedStatement statement = sql.prepare(c, sweepSql)) {
                return statement.executeUpdate();
            }
        });
    }

    private static Duration ceilMillis(long nanos) {
        long millis = (Math.max(0, nanos) + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI;
        return Duration.ofMillis(millis);
    }
}
