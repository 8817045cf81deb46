package dev.forge.exec;

import dev.forge.queue.JobQueue;
import dev.forge.store.TaskStore;
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
     * Starts the attempt's timers.
     *
     * @param abandon runs (on the I/O executor) when the runner outlives its hard timeout plus grace
     */
    Armed arm(Attempt attempt, Duration soft, Duration hard, Runnable abandon) {
        long heartbeat = config.heartbeatInterval().toMillis();
        long statusCheck = config.cancelCheckInterval().toMillis();
        long flush = config.logFlushInterval().toMillis();
        AtomicBoolean periodicStopped = new AtomicBoolean();
        List<ScheduledFuture<?>> periodic = List.of(
                timer.scheduleAtFixedRate(() -> offload(attempt, attempt.heartbeatBusy, () -> heartbeat(attempt)),
                        heartbeat, heartbeat, TimeUnit.MILLISECONDS),
                timer.scheduleAtFixedRate(() -> offload(attempt, attempt.statusCheckBusy, () -> checkStatus(attempt)),
                        statusCheck, statusCheck, TimeUnit.MILLISECONDS),
                timer.scheduleAtFixedRate(() -> {
                    if (attempt.logs.hasPending()) {
                        offload(attempt, attempt.flushBusy, () -> flush(attempt));
                    }
                }, flush, flush, TimeUnit.MILLISECONDS));
        Runnable stopPeriodic = () -> {
            if (periodicStopped.compareAndSet(false, true)) {
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

    private void heartbeat(Attempt attempt) {
        try {
            if (!queue.extend(attempt.lease, config.leaseVisibility())) {
                log.warn("lost the lease of task {}; stopping this attempt", attempt.task().id());
                attempt.source.cancel(CancellationToken.Reason.LEASE_LOST);
            }
        } catch (RuntimeException e) {
            log.warn("heartbeat of task {} failed; will try again", attempt.task().id(), e);
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
