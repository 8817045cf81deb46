package dev.forge.lock;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A {@link ClusterLock} in this JVM's memory: for a single node the lock is always free to its
 * one holder, and instances made by {@link #sharing} act as several nodes over one backend (how
 * the contract suite tests two nodes). Leases follow the injected clock, which this adapter
 * honours (a shared backend uses its own clock instead).
 */
public final class InMemoryClusterLock implements ClusterLock {

    private final Backend backend;

    /** A lock on the system clock. */
    public InMemoryClusterLock() {
        this(Clock.systemUTC());
    }

    /** A lock whose leases follow {@code clock}. */
    public InMemoryClusterLock(Clock clock) {
        this(new Backend(Objects.requireNonNull(clock, "clock")));
    }

    private InMemoryClusterLock(Backend backend) {
        this.backend = backend;
    }

    /** Another instance over the same locks as {@code other}: a second node on one backend. */
    public static InMemoryClusterLock sharing(InMemoryClusterLock other) {
        return new InMemoryClusterLock(Objects.requireNonNull(other, "other").backend);
    }

    @Override
    public boolean tryAcquire(String name, String holder, Duration lease) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(lease, "lease");
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("lease must be positive, was " + lease);
        }
        Instant now = backend.clock.instant();
        Instant until = plusSaturated(now, lease);
        Held mine = new Held(holder, until);
        Held result = backend.locks.merge(name, mine,
                (current, wanted) -> current.holder.equals(holder) || !now.isBefore(current.until)
                        ? wanted : current);
        return result == mine;
    }

    @Override
    public boolean release(String name, String holder) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(holder, "holder");
        Instant now = backend.clock.instant();
        boolean[] released = {false};
        backend.locks.computeIfPresent(name, (key, current) -> {
            if (current.holder.equals(holder) && now.isBefore(current.until)) {
                released[0] = true;
                return null;
            }
            return current;
        });
        return released[0];
    }

    private static Instant plusSaturated(Instant now, Duration duration) {
        try {
            return now.plus(duration);
        } catch (ArithmeticException | DateTimeException e) {
            return Instant.MAX;
        }
    }

    private record Held(String holder, Instant until) {
    }

    /** What instances made by {@link #sharing} share: the clock and the held locks. */
    private static final class Backend {
        final Clock clock;
        final ConcurrentMap<String, Held> locks = new ConcurrentHashMap<>();

        Backend(Clock clock) {
            this.clock = clock;
        }
    }
}
