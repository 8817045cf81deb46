package dev.forge.exec;

import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.store.TaskStore;
import dev.forge.task.TaskId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clocks of a running attempt: lease heartbeats, the stored-status check that backs up the
 * cancel channel, log flushes, and the soft and hard timeouts.
 *
 * <p>The heartbeat starts first, as soon as a worker thread holds the lease ({@link
 * #heartbeat}), not when the attempt has begun: moving the task to running and looking up its
 * project can take longer than a short lease on a cold JVM or a loaded machine, and a lease lost
 * there would hand the job to a second worker for nothing. Heartbeats run with a fixed delay, so
 * a worker that was stalled (a long GC pause, {@code SIGSTOP}) sends one overdue heartbeat when
 * it wakes, not a burst of the ones it missed.
 *
 * <p>All of them tick on one shared timer thread, which therefore never waits on a store or
 * queue: a tick that needs I/O hands it to the I/O executor and returns, and a tick whose
 * previous run is still busy is skipped, so a slow backend cannot stall every attempt's timers
 * nor pile up work. Only the timeouts act on the timer thread itself: they signal the attempt's
 * {@link CancellationSource}, whose callbacks must be quick by contract.
 */
final class AttemptTimers {

    private static final Logger log = LoggerFactory.getLogger(AttemptTimers.class);

    private final ExecutorConfig config;
    private final ScheduledExecutorService timer;
    private final Executor io;
    private final JobQueue queue;
    private final TaskStore store;

    AttemptTimers(ExecutorConfig config, ScheduledExecutorService timer, Executor io, JobQueue queue,
            TaskStore store) {
        this.config = config;
        this.timer = timer;
        this.io = io;
        this.queue = queue;
        this.store = store;
    }

    /** The timers of one attempt; {@link #stop()} ends them all. */
    interface Armed {
        /** Cancels every timer of the attempt; a tick already handed to I/O still completes. */
        void stop();
    }

    /**
     * Starts renewing {@code lease} every heartbeat interval, until {@link Heartbeat#stop()}.
     * Call it as soon as the worker thread holds the lease.
     */
    Heartbeat heartbeat(Lease lease, TaskId taskId) {
        Heartbeat heartbeat = new Heartbeat(lease, taskId);
        long interval = config.heartbeatInterval().toMillis();
        try {
            heartbeat.future = timer.scheduleWithFixedDelay(heartbeat::tick, interval, interval,
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Shutting down: the attempt is stopped at once, and its lease may lapse.
            log.debug("heartbeat of task {} not started during shutdown", taskId);
        }
        return heartbeat;
    }

    /**
     * Starts the attempt's other timers; stopping them (or the abandon) stops {@code heartbeat} too.
     *
     * @param abandon runs (on the I/O executor) when the runner outlives its hard timeout plus grace
     */
    Armed arm(Attempt attempt, Heartbeat heartbeat, Duration soft, Duration hard, Runnable abandon) {
        long statusCheck = config.cancelCheckInterval().toMillis();
        long flush = config.logFlushInterval().toMillis();
        AtomicBoolean periodicStopped = new AtomicBoolean();
        List<ScheduledFuture<?>> periodic = List.of(
                timer.scheduleAtFixedRate(() -> offload(attempt, attempt.statusCheckBusy, () -> checkStatus(attempt)),
                        statusCheck, statusCheck, TimeUnit.MILLISECONDS),
                timer.scheduleAtFixedRate(() -> {
                    if (attempt.logs.hasPending()) {
                        offload(attempt, attempt.flushBusy, () -> flush(attempt));
                    }
                }, flush, flush, TimeUnit.MILLISECONDS));
        Runnable stopPeriodic = () -> {
            if (periodicStopped.compareAndSet(false, true)) {
                heartbeat.stop();
                periodic.forEach(f -> f.cancel(false));
            }
        };
        List<ScheduledFuture<?>> deadlines = List.of(
                timer.schedule(() -> attempt.source.cancel(CancellationToken.Reason.SOFT_TIMEOUT),
                        soft.toMillis(), TimeUnit.MILLISECONDS),
                timer.schedule(() -> attempt.source.cancel(CancellationToken.Reason.HARD_TIMEOUT),
                        hard.toMillis(), TimeUnit.MILLISECONDS),
                timer.schedule(() -> {
                    // An abandoned attempt renews nothing: its lease may lapse once it is failed.
                    stopPeriodic.run();
                    runOnIo(abandon);
                }, hard.plus(config.hardTimeoutGrace()).toMillis(), TimeUnit.MILLISECONDS));
        return () -> {
            stopPeriodic.run();
            deadlines.forEach(f -> f.cancel(false));
        };
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

    /**
     * The heartbeat of one held lease. It starts before the attempt exists; once it does, {@link
     * #attach} makes a lost lease stop it (at once, if the lease was lost before).
     */
    final class Heartbeat {
        private final Lease lease;
        private final TaskId taskId;
        /** Guards against piling up extends on the I/O executor while the previous one is still busy. */
        private final AtomicBoolean busy = new AtomicBoolean();
        private final AtomicBoolean stopped = new AtomicBoolean();
        private volatile boolean lost;
        private volatile Attempt attempt;
        private volatile ScheduledFuture<?> future;

        private Heartbeat(Lease lease, TaskId taskId) {
            this.lease = lease;
            this.taskId = taskId;
        }

        /** From now on a lost lease stops {@code running}. */
        void attach(Attempt running) {
            this.attempt = running;
            if (lost) {
                running.source.cancel(CancellationToken.Reason.LEASE_LOST);
            }
        }

        /** Stops renewing; an extend already handed to I/O still completes. */
        void stop() {
            if (stopped.compareAndSet(false, true)) {
                ScheduledFuture<?> scheduled = future;
                if (scheduled != null) {
                    scheduled.cancel(false);
                }
            }
        }

        private void tick() {
            if (stopped.get() || lost || !busy.compareAndSet(false, true)) {
                return;
            }
            runOnIo(() -> {
                try {
                    if (!stopped.get()) {
                        extend();
                    }
                } finally {
                    busy.set(false);
                }
            });
        }

        private void extend() {
            try {
                if (!queue.extend(lease, config.leaseVisibility())) {
                    log.warn("lost the lease of task {}; stopping this attempt", taskId);
                    lost = true;
                    stop();
                    Attempt running = attempt;
                    if (running != null) {
                        running.source.cancel(CancellationToken.Reason.LEASE_LOST);
                    }
                }
            } catch (RuntimeException e) {
                log.warn("heartbeat of task {} failed; will try again", taskId, e);
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
