package dev.forge.exec;

import dev.forge.store.LeasedTask;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Jobs a node leased ahead, under a backlog, for the workers that will end their attempts while
 * the next lease calls would be on their way (see {@link Dispatcher}). How many is measured, not
 * configured: the attempts the workers end during {@value #LEASE_CALLS} lease calls - the workers
 * times that many lease calls' duration over one attempt's (moving averages) - at most
 * {@value #LEASE_CALLS} times the workers. Short jobs on a queue a round trip away thus lease in
 * batches of several times the pool's size instead of the few workers that happen to end at
 * once; jobs that run for seconds lease nothing ahead, since no attempt ends during a lease call.
 *
 * <p>Why several lease calls' worth, not one: a lease call has a fixed cost - on PostgreSQL the
 * queue's clock row lock, which every node's leases take in turn, its checks and a commit - and
 * a refill starts when half of the jobs held are gone ({@link #low}), so with one lease call's
 * worth the refills were small and many. With two worker JVMs on PostgreSQL (no-op jobs, 15,203
 * of them): 2,405 lease calls, 1,299 of them waiting for the clock row (1.3 ms on average);
 * with four lease calls' worth, 1,500 calls and 758 waits, and 3,600-4,200 jobs/s against
 * 2,800-3,500 in alternated runs (docs/performance.md).
 *
 * <p>A job waits here at most {@code maxWait}: the dispatcher gives back those that no worker
 * took by then (the estimate was wrong: the workers took up long jobs). All methods are
 * thread-safe; the moving averages tolerate a lost update.
 */
final class LeaseAhead {

    /** A job leased ahead and when it was, in {@link System#nanoTime} units. */
    private record Held(LeasedTask task, long since) {
    }

    /** The lease calls' worth of attempts held ahead (see the class comment). */
    static final int LEASE_CALLS = 4;

    private final int workers;
    private final long maxWaitNanos;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private boolean closed;
    /** Moving averages, in ns; 0 until first measured. */
    private volatile long attemptNanos;
    private volatile long leaseNanos;

    /** @param maxWaitNanos how long a job may wait for a worker; 0 leases nothing ahead */
    LeaseAhead(int workers, long maxWaitNanos) {
        this.workers = workers;
        this.maxWaitNanos = maxWaitNanos;
    }

    /** An attempt of a worker took {@code nanos}, from its hand-over to its end. */
    void attemptTook(long nanos) {
        attemptNanos = averaged(attemptNanos, nanos);
    }

    /** A lease call for the workers took {@code nanos}. */
    void leaseTook(long nanos) {
        leaseNanos = averaged(leaseNanos, nanos);
    }

    private static long averaged(long average, long sample) {
        return average == 0 ? sample : average + (sample - average) / 8;
    }

    /**
     * How many jobs the next lease call for the workers should take beyond their asks: the
     * attempts the workers end during {@value #LEASE_CALLS} lease calls, less the jobs already
     * held; 0 while either duration is unmeasured or leasing ahead is off.
     */
    int wanted() {
        long ending = ending();
        synchronized (this) {
            return (int) Math.max(0, ending - held.size());
        }
    }

    /**
     * True when at most half the jobs the workers are measured to need during
     * {@value #LEASE_CALLS} lease calls are held (and leasing ahead is on and measured): time to
     * lease more, before they run out.
     */
    boolean low() {
        long ending = ending();
        synchronized (this) {
            return ending > 0 && held.size() * 2L <= ending;
        }
    }

    /**
     * The attempts the workers end during {@value #LEASE_CALLS} lease calls, at most that many
     * times the workers; 0 unmeasured or off.
     */
    private long ending() {
        long attempt = attemptNanos;
        long lease = leaseNanos;
        if (maxWaitNanos == 0 || attempt <= 0 || lease <= 0) {
            return 0;
        }
        long pool = (long) LEASE_CALLS * workers;
        return Math.min(pool, (pool * lease + attempt / 2) / attempt);
    }

    /** Up to {@code max} held jobs, oldest first; an empty list when none is held. */
    synchronized List<LeasedTask> take(int max) {
        if (held.isEmpty()) {
            return List.of();
        }
        List<LeasedTask> taken = new ArrayList<>(Math.min(max, held.size()));
        while (taken.size() < max && !held.isEmpty()) {
            taken.add(held.poll().task());
        }
        return taken;
    }

    /** The oldest held job, removed, or null. */
    synchronized LeasedTask takeOne() {
        Held oldest = held.poll();
        return oldest == null ? null : oldest.task();
    }

    /**
     * Holds {@code tasks} for the workers; false, holding nothing, once {@link #close} ran (the
     * caller gives them back).
     */
    synchronized boolean hold(List<LeasedTask> tasks, long now) {
        if (closed) {
            return false;
        }
        for (LeasedTask task : tasks) {
            held.add(new Held(task, now));
        }
        return true;
    }

    /** The held jobs that waited longer than {@code maxWait} by {@code now}, removed. */
    synchronized List<LeasedTask> overdue(long now) {
        List<LeasedTask> overdue = new ArrayList<>();
        while (!held.isEmpty() && now - held.peek().since() > maxWaitNanos) {
            overdue.add(held.poll().task());
        }
        return overdue;
    }

    /** True while a job is held. */
    synchronized boolean holdsAny() {
        return !held.isEmpty();
    }

    /** How long a job may wait here, in ns. */
    long maxWaitNanos() {
        return maxWaitNanos;
    }

    /** Stops holding: every held job, removed, for the caller to give back; later holds fail. */
    synchronized List<LeasedTask> close() {
        closed = true;
        return take(held.size());
    }
}
