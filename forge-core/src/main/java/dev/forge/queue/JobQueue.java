package dev.forge.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Port: named queues of jobs with at-least-once delivery. A leased job is invisible to other
 * workers until its lease expires; a lease that is neither extended nor acknowledged in time is
 * delivered again, to this or another worker. Payloads are short strings (a task id, a
 * maintenance job name). Implementations are thread-safe.
 */
public interface JobQueue extends AutoCloseable {

    /**
     * Adds a job that becomes visible at {@code notBefore} (now when null).
     *
     * @return the job's id, unique within the queue
     */
    String enqueue(String queue, String payload, Instant notBefore);

    /** Adds a job that is visible at once. */
    default String enqueue(String queue, String payload) {
        return enqueue(queue, payload, null);
    }

    /**
     * Leases the next visible job, waiting up to {@code wait} for one to appear.
     *
     * @param visibility how long the lease lasts unless extended
     * @return the lease, or empty if no job became visible in time
     */
    Optional<Lease> lease(String queue, Duration visibility, Duration wait) throws InterruptedException;

    /** Extends a lease that is still held; false if it expired or was lost. */
    boolean extend(Lease lease, Duration visibility);

    /** Removes a leased job for good; false if the lease was lost (it may be redelivered). */
    boolean ack(Lease lease);

    /**
     * Gives a leased job back, visible again at {@code notBefore} (now when null): a retry.
     * False if the lease was lost.
     */
    boolean release(Lease lease, Instant notBefore);

    /** Jobs in the queue, visible, delayed or leased. */
    long depth(String queue);

    /** Releases resources; the default does nothing. */
    @Override
    default void close() {
    }
}
