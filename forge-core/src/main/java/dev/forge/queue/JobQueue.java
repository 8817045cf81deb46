package dev.forge.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Port: named queues of jobs with at-least-once delivery. A leased job is invisible to other
 * workers until its lease expires; a lease that is neither extended nor acknowledged in time is
 * delivered again, to this or another worker. Payloads are short strings (a task id, a
 * maintenance job name). Implementations are thread-safe.
 *
 * <p><b>Fairness.</b> Every job belongs to a fairness group (forge uses the task's owner). Within
 * a queue, jobs are leased in start-time fair order, not first-come first-served: a job gets a
 * virtual rank when it becomes visible - {@code max(queue's virtual time, group's last rank + 1)}
 * - a lease takes the visible job with the lowest rank (ties by job id, i.e. enqueue order) and
 * moves the queue's virtual time to that rank. So the groups with visible jobs take turns: a
 * group's first job waits behind at most one more job of each other group, however long their
 * backlogs. Jobs that become visible again (a lapsed lease, a release) are ranked afresh, at the
 * back of their group's line. The rule holds across nodes: the ranks live in the backend.
 * See docs/queues.md.
 *
 * <p><b>Time.</b> Delays, visibility and lease expiry are measured by the backend's clock (for a
 * shared backend: its own time, e.g. Redis {@code TIME} or PostgreSQL {@code now()}), never by
 * the caller's, so clock skew between nodes cannot make two workers hold one job. That is why
 * they are given as durations, not instants. {@link Lease#expiresAt()} is the backend's time and
 * informative only.
 */
public interface JobQueue extends AutoCloseable {

    /** The fairness group of jobs enqueued without one. */
    String DEFAULT_GROUP = "";

    /**
     * Adds a job of fairness group {@code group} that becomes visible after {@code delay} (null
     * or zero: now), by the backend's clock.
     *
     * @param group who the job is for (forge: the task's owner); jobs of different groups take
     *              turns within the queue
     * @return the job's id, unique within the queue
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    String enqueue(String queue, String payload, Duration delay, String group);

    /**
     * Adds one job per payload, the i-th in fairness group {@code groups.get(i)}, each visible
     * after {@code delay} (null or zero: now), as {@link #enqueue(String, String, Duration, String)}
     * would one by one and in that order: for a batch of creations (one round trip to a remote
     * backend instead of one per job). The default calls that method for each; adapters with a
     * cheaper batch override it.
     *
     * @return the jobs' ids, in the order of {@code payloads}
     * @throws IllegalArgumentException if the lists differ in size or {@code delay} is negative
     */
    default List<String> enqueueAll(String queue, List<String> payloads, Duration delay, List<String> groups) {
        if (payloads.size() != groups.size()) {
            throw new IllegalArgumentException("payloads and groups differ in size: " + payloads.size()
                    + " and " + groups.size());
        }
        List<String> ids = new ArrayList<>(payloads.size());
        for (int i = 0; i < payloads.size(); i++) {
            ids.add(enqueue(queue, payloads.get(i), delay, groups.get(i)));
        }
        return ids;
    }

    /**
     * Adds a job of the {@link #DEFAULT_GROUP} that becomes visible after {@code delay} (null or
     * zero: now).
     *
     * @return the job's id, unique within the queue
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    default String enqueue(String queue, String payload, Duration delay) {
        return enqueue(queue, payload, delay, DEFAULT_GROUP);
    }

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

    /**
     * Leases up to {@code max} visible jobs of {@code queues} at once, waiting up to {@code wait}
     * for the first. A worker pool with several free workers uses it so that filling them costs
     * one round trip to the backend rather than one per job. Inside each queue the jobs are
     * those that as many single leases would take, in the same fair order; across queues an
     * adapter may take one from each in turn. The default leases one job; adapters whose lease
     * is a round trip override it.
     *
     * @param max the most jobs to lease, at least 1
     * @return between one and {@code max} leases, or none if no job became visible in time
     */
    default List<Lease> lease(List<String> queues, int max, Duration visibility, Duration wait)
            throws InterruptedException {
        if (max < 1) {
            throw new IllegalArgumentException("max must be >= 1, was " + max);
        }
        return lease(queues, visibility, wait).map(List::of).orElse(List.of());
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

    /**
     * Jobs of one fairness group in the queue, visible, delayed or leased: for forge, the owner's
     * queued and running tasks of the queue's kind, counted across the cluster.
     */
    long depth(String queue, String group);

    /** Fairness groups with at least one visible job in the queue: the users waiting for a worker. */
    long waitingGroups(String queue);

    /** Releases resources; the default does nothing. */
    @Override
    default void close() {
    }
}
