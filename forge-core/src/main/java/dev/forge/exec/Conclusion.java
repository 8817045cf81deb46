package dev.forge.exec;

import dev.forge.InfrastructureException;
import dev.forge.metrics.ForgeMetrics;
import dev.forge.project.ProjectConfigException;
import dev.forge.queue.JobQueue;
import dev.forge.task.TaskError;
import dev.forge.task.TaskStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends an attempt: turns what its runner returned or threw, and why it was stopped, into the
 * task's next status, and settles the job with the queue (ack, or release for a retry after a
 * backoff measured by the queue's own clock). The attempt's buffered log lines are stored before
 * the final status, so a finished task's log is complete when its status says it finished.
 */
final class Conclusion {

    private static final Logger log = LoggerFactory.getLogger(Conclusion.class);

    /** Why a task goes back to initializing when its worker shuts down before it could end. */
    private static final TaskError SHUT_DOWN = new TaskError(TaskError.INFRASTRUCTURE, "worker shut down; will run again");

    private final ExecutorConfig config;
    private final JobQueue queue;
    private final ForgeMetrics metrics;
    private final Clock clock;

    Conclusion(ExecutorConfig config, JobQueue queue, ForgeMetrics metrics, Clock clock) {
        this.config = config;
        this.queue = queue;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Decides the attempt's end.
     *
     * @param reason  why it was stopped, read before its timers stopped; empty if it was not
     * @param outcome what the runner returned, or null when it threw {@code failure}
     */
    void conclude(Attempt attempt, Optional<CancellationToken.Reason> reason, RunOutcome outcome,
            RuntimeException failure, Duration soft, Duration hard) {
        Map<String, Object> results = outcome == null ? null : outcome.results();
        if (reason.isPresent()) {
            switch (reason.get()) {
                case USER -> {
                    // The service already stored "cancelled"; the attempt's result is void.
                    flushLogs(attempt);
                    queue.ack(attempt.lease);
                }
                case SOFT_TIMEOUT, HARD_TIMEOUT -> {
                    String which = attempt.source.wasRequested(CancellationToken.Reason.HARD_TIMEOUT)
                            ? "hard timeout of " + human(hard) : "soft timeout of " + human(soft);
                    finish(attempt, TaskStatus.FAILED, results,
                            new TaskError(TaskError.TIMEOUT, "stopped: exceeded the " + which));
                }
                case SHUTDOWN -> {
                    if (!attempt.leaseLost()) {
                        retry(attempt, SHUT_DOWN, Duration.ZERO);
                    }
                }
                case LEASE_LOST -> log.info("task {}: attempt {} lost its lease; its result is dropped",
                        attempt.task().id(), attempt.task().attempt());
                default -> throw new IllegalStateException("unknown reason " + reason.get());
            }
            return;
        }
        if (failure instanceof ProjectConfigException) {
            finish(attempt, TaskStatus.FAILED, results, new TaskError(TaskError.PROJECT, failure.getMessage()));
        } else if (failure != null) {
            String message;
            if (failure instanceof InfrastructureException) {
                message = failure.getMessage();
                log.warn("attempt {} of task {} failed: {}", attempt.task().attempt(), attempt.task().id(), message);
            } else {
                metrics.exception();
                message = "internal error while running the task";
                log.error("attempt {} of task {} failed unexpectedly", attempt.task().attempt(),
                        attempt.task().id(), failure);
            }
            if (attempt.task().hasAttemptsLeft()) {
                retry(attempt, new TaskError(TaskError.INFRASTRUCTURE, message), backoff(attempt.task().attempt()));
            } else {
                finish(attempt, TaskStatus.FAILED, results, new TaskError(TaskError.INFRASTRUCTURE,
                        message + " (gave up after " + attempt.task().attempt() + " attempts)"));
            }
        } else if (outcome.succeeded()) {
            finish(attempt, TaskStatus.COMPLETED, results, null);
        } else {
            finish(attempt, TaskStatus.FAILED, results, outcome.error());
        }
    }

    /**
     * Stores a terminal status (after the attempt's last log lines) and acks the job, in one
     * step when the store and queue share a backend.
     */
    void finish(Attempt attempt, TaskStatus status, Map<String, Object> results, TaskError error) {
        flushLogs(attempt);
        boolean stored;
        try {
            stored = attempt.updateAndAck(current -> current.transitionTo(status, results, error, clock.instant()),
                    queue);
        } catch (IllegalArgumentException e) {
            // The store refused the runner's results (not JSON-shaped): a bug in the runner, but
            // the task must still end rather than stay running until its lease lapses.
            metrics.exception();
            log.error("task {}: results could not be stored", attempt.task().id(), e);
            stored = attempt.updateAndAck(current -> current.transitionTo(TaskStatus.FAILED, Map.of(),
                    new TaskError(TaskError.TASK, "the task's results could not be stored"), clock.instant()), queue);
        }
        if (stored) {
            TaskLog.ended(attempt.task());
        } else if (!attempt.leaseLost()) {
            // The update lost to a user's cancel: the task is terminal anyway, ack the job.
            queue.ack(attempt.lease);
        }
    }

    private void retry(Attempt attempt, TaskError error, Duration delay) {
        flushLogs(attempt);
        if (attempt.update(current -> current.transitionTo(TaskStatus.INITIALIZING, null, error, clock.instant()))) {
            metrics.retry();
            queue.release(attempt.lease, delay);
        } else if (!attempt.leaseLost()) {
            queue.ack(attempt.lease);
        }
    }

    /** How long the retry after {@code attempt} waits: base * 2^attempt, plus jitter. */
    Duration backoff(int attempt) {
        long base = config.retryBase().toMillis() << Math.min(attempt, 20);
        long jitter = (long) (base * config.retryJitter() * ThreadLocalRandom.current().nextDouble());
        return Duration.ofMillis(base + jitter);
    }

    /**
     * Stores the attempt's buffered lines. A store that fails here must not keep the task from
     * ending: the lines are lost (and logged), the status is still written.
     */
    private void flushLogs(Attempt attempt) {
        try {
            attempt.logs.flush();
        } catch (RuntimeException e) {
            log.warn("could not store the last log lines of task {}", attempt.task().id(), e);
        }
    }

    static String human(Duration duration) {
        return duration.toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
