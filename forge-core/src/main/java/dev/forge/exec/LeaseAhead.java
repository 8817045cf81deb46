package dev.forge.exec;

import dev.forge.store.LeasedTask;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Jobs a node leased ahead, under a backlog, for the workers that will end their attempts while
 * the next lease call would be on its way (see {@link Dispatcher}). How many is measured, not
 * configured: the workers times one lease call's duration over one attempt's (moving averages),
 * at most the workers. Short jobs on a queue a round trip away thus lease in batches of about
 * the pool's size instead of the few workers that happen to end at once; jobs that run for
 * seconds lease nothing ahead, since no attempt ends during a lease call.
 *
 * <p>A job waits here at most {@code maxWait}: the dispatcher gives back those that no worker
 * took by then (the estimate was wrong: the workers took up long jobs). All methods are
 * thread-safe; the moving averages tolerate a lost update.
 */
final class LeaseAhead {

    /** A job leased ahead and when it was, in {@link System#nanoTime} units. */
    private record Held(LeasedTask task, long since) {
    }

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
     * attempts the workers end during one lease call, less the jobs already held; 0 while
     * either duration is unmeasured or leasing ahead is off.
     */
    int wanted() {
        long ending = ending();
        synchronized (this) {
            return (int) Math.max(0, ending - held.size());
        }
    }

    /**
     * True when at most half the jobs the workers are measured to need during a lease call are
     * held (and leasing ahead is on and measured): time to lease more, before they run out.
     */
    boolean low() {
        long ending = ending();
        synchronized (this) {
            return ending > 0 && held.size() * 2L <= ending;
        }
    }

    /** The attempts the workers end during one lease call, at most the workers; 0 unmeasured or off. */
    private long ending() {
        long attempt = attemptNanos;
        long lease = leaseNanos;
        if (maxWaitNanos == 0 || attempt <= 0 || lease <= 0) {
            return 0;
        }
        return Math.min(workers, (workers * lease + attempt / 2) / attempt);
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
