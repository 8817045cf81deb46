package dev.forge.queue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Port: named queues of jobs with at-least-once delivery. A leased job is invisible to other
 * workers until its lease expires; a lease that is neither extended nor acknowledged in time is
 * delivered again, to this or another worker. Payloads are short strings (a task id, a
 * maintenance job name). Implementations are thread-safe.
 *
 * <p><b>Time.</b> Delays, visibility and lease expiry are measured by the backend's clock (for a
 * shared backend: its own time, e.g. Redis {@code TIME} or PostgreSQL {@code now()}), never by
 * the caller's, so clock skew between nodes cannot make two workers hold one job. That is why
 * they are given as durations, not instants. {@link Lease#expiresAt()} is the backend's time and
 * informative only.
 */
public interface JobQueue extends AutoCloseable {

    /**
     * Adds a job that becomes visible after {@code delay} (null or zero: now), by the backend's
     * clock.
     *
     * @return the job's id, unique within the queue
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    String enqueue(String queue, String payload, Duration delay);

    /** Adds a job that is visible at once. */
    default String enqueue(String queue, String payload) {
        return enqueue(queue, payload, Duration.ZERO);
    }

    /**
     * Leases the next visible job, waiting up to {@code wait} for one to appear.
     *
     * @param visibility how long the lease lasts unless extended
     * @return the lease, or empty if no job became visible in time
     */
    Optional<Lease> lease(String queue, Duration visibility, Duration wait) throws InterruptedException;

    /**
     * Leases the next visible job from the first of {@code queues} that has one, waiting up to
     * {@code wait} for a job to appear in any of them. Workers serving several queues use this
     * so that a job in any of them starts at once. The default polls each queue and waits in
     * slices of at most 50 ms; adapters that can block on several queues at once override it.
     *
     * @return the lease, or empty if no job became visible in time
     */
    default Optional<Lease> lease(List<String> queues, Duration visibility, Duration wait)
            throws InterruptedException {
        if (queues.isEmpty()) {
            throw new IllegalArgumentException("queues must not be empty");
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            for (String queue : queues) {
                Optional<Lease> lease = lease(queue, visibility, Duration.ZERO);
                if (lease.isPresent()) {
                    return lease;
                }
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return Optional.empty();
            }
            Optional<Lease> lease = lease(queues.get(0), visibility,
                    Duration.ofNanos(Math.min(remaining, Duration.ofMillis(50).toNanos())));
            if (lease.isPresent()) {
                return lease;
            }
        }
    }

    /** Extends a lease that is still held by {@code visibility} from now; false if it expired or was lost. */
    boolean extend(Lease lease, Duration visibility);

    /** Removes a leased job for good; false if the lease was lost (it may be redelivered). */
    boolean ack(Lease lease);

    /**
     * Gives a leased job back, visible again after {@code delay} (null or zero: now) by the
     * backend's clock: a retry. False if the lease was lost.
     *
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    boolean release(Lease lease, Duration delay);

    /** Jobs in the queue, visible, delayed or leased. */
    long depth(String queue);

    /** Releases resources; the default does nothing. */
    @Override
    default void close() {
    }
}
