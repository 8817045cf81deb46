package dev.forge.lock;

import java.time.Duration;

/**
 * Port: named locks with a lease, shared by every node over one backend, so that a job meant to
 * run once per interval across a cluster (retention, the health sweep) runs on one node only.
 * A lock is held by a {@code holder} (a node's id) until its lease lapses or the holder releases
 * it; lease expiry is measured by the backend's clock, never the caller's. Implementations are
 * thread-safe.
 */
public interface ClusterLock extends AutoCloseable {

    /**
     * Takes {@code name} for {@code lease} (by the backend's clock) unless another holder has it;
     * re-acquiring by the same holder extends it to {@code lease} from now.
     *
     * @return true if {@code holder} holds the lock now
     * @throws IllegalArgumentException if {@code lease} is not positive
     */
    boolean tryAcquire(String name, String holder, Duration lease);

    /** Releases {@code name} if {@code holder} still holds it; false otherwise. */
    boolean release(String name, String holder);

    /** Releases resources; the default does nothing. */
    @Override
    default void close() {
    }
}
