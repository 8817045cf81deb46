package dev.forge.exec;

import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.store.TaskStore;
import dev.forge.task.TaskId;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clocks of the attempts running on this node: lease heartbeats, the stored-status check
 * that backs up the cancel channel, log flushes, and the soft and hard timeouts.
 *
 * <p>Each held lease carries its own deadlines ({@link Clocks}), and one sweep every {@link
 * #TICK} on the shared timer thread fires whatever is due. Starting and ending an attempt is
 * therefore an add to and a remove from a concurrent set: it used to be six schedules and six
 * cancels on the timer's locked queue per attempt, which at thousands of short jobs a second
 * was the workers' largest cost (lock contention with the timer thread, a future per timer,
 * heap sift-ups). The price is resolution: a deadline fires at the first sweep at or after it,
 * so up to one tick (plus the timer thread's scheduling delay) late, never early.
 *
 * <p>The heartbeat starts first, as soon as a worker thread holds the lease ({@link #track}),
 * not when the attempt has begun: moving the task to running and looking up its project can
 * take longer than a short lease on a cold JVM or a loaded machine, and a lease lost there
 * would hand the job to a second worker for nothing. The next heartbeat is due an interval
 * after the sweep that sent the last one (a fixed delay), so a worker that was stalled (a long
 * GC pause, {@code SIGSTOP}) sends one overdue heartbeat when it wakes, not a burst of the ones
 * it missed; status checks and flushes are spaced the same way.
 *
 * <p>The sweep never waits on a store or queue: work that needs I/O is handed to the I/O
 * executor, and work whose previous run is still busy is skipped, so a slow backend cannot
 * stall every attempt's timers nor pile up work. Only the timeouts act on the timer thread
 * itself: they signal the attempt's {@link CancellationSource}, whose callbacks must be quick
 * by contract.
 */
final class AttemptTimers {

    /** How often the sweep runs: the resolution of every attempt timer. */
    static final Duration TICK = Duration.ofMillis(10);

    private static final Logger log = LoggerFactory.getLogger(AttemptTimers.class);
    /**
     * Longer durations count as this long: far beyond any attempt, and small enough that a
     * deadline (a reading plus a timeout plus the grace) stays within 2^63 ns of the reading,
     * which is all the {@code now - deadline >= 0} comparisons need.
     */
    private static final Duration LONGEST = Duration.ofDays(365L * 100);

    private final ExecutorConfig config;
    private final ScheduledExecutorService timer;
    private final Executor io;
    private final JobQueue queue;
    private final TaskStore store;
    private final LongSupplier nanoTime;
    // The configured intervals in nanoseconds, converted once rather than per attempt.
    private final long heartbeatEvery;
    private final long statusEvery;
    private final long flushEvery;
    private final long grace;
    private final Set<Clocks> tracked = ConcurrentHashMap.newKeySet();

    /**
     * @param nanoTime the monotonic clock deadlines are read from ({@code System::nanoTime};
     *                 tests pass their own and call {@link #sweep} themselves)
     */
    AttemptTimers(ExecutorConfig config, ScheduledExecutorService timer, Executor io, JobQueue queue,
            TaskStore store, LongSupplier nanoTime) {
        this.config = config;
        this.timer = timer;
        this.io = io;
        this.queue = queue;
        this.store = store;
        this.nanoTime = nanoTime;
        this.heartbeatEvery = nanos(config.heartbeatInterval());
        this.statusEvery = nanos(config.cancelCheckInterval());
        this.flushEvery = nanos(config.logFlushInterval());
        this.grace = nanos(config.hardTimeoutGrace());
    }

    /** Starts the sweep on the timer thread; until then no attempt timer fires. */
    void start() {
        long tick = TICK.toNanos();
        timer.scheduleWithFixedDelay(() -> sweep(nanoTime.getAsLong()), tick, tick, TimeUnit.NANOSECONDS);
    }

    /** Leases whose clocks are ticking now. */
    int trackedCount() {
        return tracked.size();
    }

    /**
     * Starts renewing {@code lease} every heartbeat interval, until {@link Clocks#stop()}. Call
     * it as soon as the worker thread holds the lease. A lease that cannot be renewed stops
     * {@code source} for {@code LEASE_LOST}.
     */
    Clocks track(Lease lease, TaskId taskId, CancellationSource source) {
        Clocks clocks = new Clocks(lease, taskId, source, nanoTime.getAsLong());
        tracked.add(clocks);
        return clocks;
    }

    /** Fires every deadline that is due at {@code now}, a reading of the nano clock. */
    void sweep(long now) {
        for (Clocks clocks : tracked) {
            try {
                clocks.tick(now);
            } catch (RuntimeException | Error e) {
                // A cancel callback that throws (even an AssertionError or a LinkageError) must
                // not stop the other attempts' timers, nor end the periodic sweep: a scheduled
                // task that throws is never run again, and every attempt's timeouts with it.
                log.error("timer of task {} failed", clocks.taskId, e);
            }
        }
    }

    private void offload(Attempt attempt, AtomicBoolean busy, Runnable work) {
        if (attempt.concluded.get() || !busy.compareAndSet(false, true)) {
            return;
        }
        runOnIo(() -> {
            try {
                if (!attempt.concluded.get()) {
                    work.run();
                }
            } finally {
                busy.set(false);
            }
        });
    }

    private void runOnIo(Runnable work) {
        try {
            io.execute(work);
        } catch (RejectedExecutionException e) {
            // The executor is shutting down; the attempt is being stopped anyway.
            log.debug("timer work dropped during shutdown");
        }
    }

    /** {@code duration} in nanoseconds, capped at {@link #LONGEST}. */
    private static long nanos(Duration duration) {
        return duration.compareTo(LONGEST) > 0 ? LONGEST.toNanos() : duration.toNanos();
    }

    /**
     * The deadlines of one held lease: its heartbeat from the start, and once the attempt runs
     * ({@link #arm}), its status checks, flushes and timeouts. Deadlines are readings
     * of the nano clock; only the sweep (one thread) reads and moves them after they
     * are published.
     */
    final class Clocks {
        private final Lease lease;
        private final TaskId taskId;
        private final CancellationSource source;
        /** Guards against piling up extends on the I/O executor while the previous one is still busy. */
        private final AtomicBoolean heartbeatBusy = new AtomicBoolean();
        private volatile boolean stopped;
        private volatile boolean lost;
        private volatile Armed armed;
        private long nextHeartbeat;

        private Clocks(Lease lease, TaskId taskId, CancellationSource source, long now) {
            this.lease = lease;
            this.taskId = taskId;
            this.source = source;
            this.nextHeartbeat = now + heartbeatEvery;
        }

        /**
         * Arms the running attempt's status checks, log flushes and timeouts, counted from now.
         *
         * @param abandon runs (on the I/O executor) when the runner outlives its hard timeout plus
         *                grace; the lease is no longer renewed from then on
         */
        void arm(Attempt attempt, Duration soft, Duration hard, Runnable abandon) {
            armed = new Armed(attempt, soft, hard, abandon, nanoTime.getAsLong());
        }

        /** Stops every timer of the lease; an extend or check already handed to I/O still completes. */
        void stop() {
            stopped = true;
            tracked.remove(this);
        }

        private void tick(long now) {
            if (stopped) {
                return;
            }
            if (now - nextHeartbeat >= 0) {
                nextHeartbeat = now + heartbeatEvery;
                heartbeat();
            }
            Armed attempt = armed;
            if (attempt != null) {
                attempt.tick(now);
            }
        }

        private void heartbeat() {
            if (lost || !heartbeatBusy.compareAndSet(false, true)) {
                return;
            }
            runOnIo(() -> {
                try {
                    if (!stopped) {
                        extend();
                    }
                } finally {
                    heartbeatBusy.set(false);
                }
            });
        }

        private void extend() {
            try {
                if (!queue.extend(lease, config.leaseVisibility())) {
                    log.warn("lost the lease of task {}; stopping this attempt", taskId);
                    lost = true;
                    source.cancel(CancellationToken.Reason.LEASE_LOST);
                }
            } catch (RuntimeException e) {
                log.warn("heartbeat of task {} failed; will try again", taskId, e);
            }
        }

        /** The timers of the running attempt; soft, hard and abandon fire once each, in that order. */
        private final class Armed {
            private final Attempt attempt;
            private final Runnable abandon;
            private final long softAt;
            private final long hardAt;
            private final long abandonAt;
            private long nextStatus;
            private long nextFlush;
            private boolean softFired;
            private boolean hardFired;

            private Armed(Attempt attempt, Duration soft, Duration hard, Runnable abandon, long now) {
                this.attempt = attempt;
                this.abandon = abandon;
                this.softAt = now + nanos(soft);
                this.hardAt = now + nanos(hard);
                this.abandonAt = hardAt + grace;
                this.nextStatus = now + statusEvery;
                this.nextFlush = now + flushEvery;
            }

            private void tick(long now) {
                if (!softFired && now - softAt >= 0) {
                    softFired = true;
                    attempt.source.cancel(CancellationToken.Reason.SOFT_TIMEOUT);
                }
                if (!hardFired && now - hardAt >= 0) {
                    hardFired = true;
                    attempt.source.cancel(CancellationToken.Reason.HARD_TIMEOUT);
                }
                if (now - abandonAt >= 0) {
                    // An abandoned attempt renews nothing: its lease may lapse once it is failed.
                    stop();
                    runOnIo(abandon);
                    return;
                }
                if (now - nextStatus >= 0) {
                    nextStatus = now + statusEvery;
                    offload(attempt, attempt.statusCheckBusy, () -> checkStatus(attempt));
                }
                if (now - nextFlush >= 0) {
                    nextFlush = now + flushEvery;
                    if (attempt.logs.hasPending()) {
                        offload(attempt, attempt.flushBusy, () -> flush(attempt));
                    }
                }
            }
        }
    }

    private void checkStatus(Attempt attempt) {
        try {
            attempt.observe(store.find(attempt.task().id()).orElse(null));
        } catch (RuntimeException e) {
            log.warn("status check of task {} failed; will try again", attempt.task().id(), e);
        }
    }

    private void flush(Attempt attempt) {
        try {
            attempt.logs.flushUnlessBusy();
        } catch (RuntimeException e) {
            log.warn("could not store log lines of task {}", attempt.task().id(), e);
        }
    }
}
