package dev.forge.redis;

import dev.forge.lock.ClusterLock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A {@link ClusterLock} on Redis: {@code SET key holder NX PX lease}, so the lock lapses by
 * itself when its holder dies, measured by Redis' clock. Re-acquiring by the same holder extends
 * it, and release deletes it only for its holder - both as Lua scripts, so a holder whose lease
 * lapsed can never remove a lock someone else took since.
 *
 * <p>Made by {@link RedisBackend#clusterLock()}.
 */
public final class RedisClusterLock implements ClusterLock {

    private static final LuaScript ACQUIRE = LuaScript.load("lock_acquire");
    private static final LuaScript RELEASE = LuaScript.load("lock_release");

    private final RedisCommands redis;

    RedisClusterLock(RedisCommands redis) {
        this.redis = Objects.requireNonNull(redis, "redis");
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the lease is not positive or a name is malformed
     * @throws dev.forge.InfrastructureException if Redis fails
     */
    @Override
    public boolean tryAcquire(String name, String holder, Duration lease) {
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(lease, "lease");
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("lease must be positive, was " + lease);
        }
        long millis = Math.max(1, lease.toMillis());
        Object reply = redis.eval(ACQUIRE, List.of(redis.keys().lock(name)),
                List.of(holder, Long.toString(millis)));
        return (Long) reply == 1L;
    }

    @Override
    public boolean release(String name, String holder) {
        Objects.requireNonNull(holder, "holder");
        Object reply = redis.eval(RELEASE, List.of(redis.keys().lock(name)), List.of(holder));
        return (Long) reply == 1L;
    }
}
