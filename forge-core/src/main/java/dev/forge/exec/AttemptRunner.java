package dev.forge.exec;

import dev.forge.events.EventBus;
import dev.forge.metrics.ForgeMetrics;
import dev.forge.project.ProjectCatalog;
import dev.forge.project.ProjectConfigException;
import dev.forge.project.ProjectSpec;
import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.store.LeasedTask;
import dev.forge.store.TaskStore;
import dev.forge.task.TaskError;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one leased job on the calling worker thread: looks up the project, moves the task to
 * {@code running}, arms the attempt's timers, calls the kind's {@link TaskRunner} and hands the
 * result to {@link Conclusion}. Keeps the stop signals of the attempts on this node, so a cancel
 * request can find them.
 */
final class AttemptRunner {

    private static final Logger log = LoggerFactory.getLogger(AttemptRunner.class);

    private final ExecutorConfig config;
    private final TaskStore store;
    private final JobQueue queue;
    private final EventBus events;
    private final ProjectCatalog catalog;
    private final Map<TaskKind, TaskRunner> runners;
    private final TaskUpdater updater;
    private final ForgeMetrics metrics;
    private final Clock clock;
    private final AttemptTimers timers;
    private final Conclusion conclusion;
    /**
     * Stop requests kept this long: a lease that started a task hands it to a worker within
     * milliseconds. A request dropped before its attempt registers (a worker stalled longer)
     * only lets that attempt run on: the task is cancelled, so the attempt's result is refused.
     */
    private static final long UNMATCHED_STOP_KEPT_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** The kept stop requests are pruned of old ones when they reach this many. */
    private static final int UNMATCHED_STOPS_PRUNED_AT = 256;

    /** The stop signal of each attempt on this node, from the moment a worker takes its job up. */
    private final Map<TaskId, CancellationSource> running = new ConcurrentHashMap<>();
    /** Stop requests that came before their attempt registered here (see {@link #stop}). */
    private final Map<TaskId, UnmatchedStop> unmatchedStops = new ConcurrentHashMap<>();

    AttemptRunner(ExecutorConfig config, TaskStore store, JobQueue queue, EventBus events,
            ProjectCatalog catalog, Map<TaskKind, TaskRunner> runners, TaskUpdater updater,
            ForgeMetrics metrics, Clock clock, AttemptTimers timers) {
        this.config = config;
        this.store = store;
        this.queue = queue;
        this.events = events;
        this.catalog = catalog;
        this.runners = runners;
        this.updater = updater;
        this.metrics = metrics;
        this.clock = clock;
        this.timers = timers;
        this.conclusion = new Conclusion(config, queue, metrics, clock);
    }

    /** Attempts running on this node now. */
    int runningCount() {
        return running.size();
    }

    /**
     * Stops the attempt of {@code taskId} if it runs here. If none does, the request is kept for
     * a while, for an attempt whose lease started its task but that is not registered yet: a
     * cancel can store "cancelled" and send its request between a lease that started the task
     * and the worker taking it up. A cancelled task never runs again, so a kept request can only
     * stop an attempt that must stop.
     */
    void stop(TaskId taskId, CancellationToken.Reason reason) {
        CancellationSource source = running.get(taskId);
        if (source == null) {
            keepUnmatched(taskId, reason);
            // Looked up again after keeping it: an attempt registered meanwhile either is found
            // here or finds what was kept (run() registers first, then looks).
            source = running.get(taskId);
        }
        if (source != null) {
            source.cancel(reason);
        }
    }

    private void keepUnmatched(TaskId taskId, CancellationToken.Reason reason) {
        long now = System.nanoTime();
        if (unmatchedStops.size() >= UNMATCHED_STOPS_PRUNED_AT) {
            unmatchedStops.values().removeIf(kept -> now - kept.at() > UNMATCHED_STOP_KEPT_NANOS);
        }
        unmatchedStops.put(taskId, new UnmatchedStop(reason, now));
    }

    /** A stop request that found no attempt of its task here, and when it came (nanoTime). */
    private record UnmatchedStop(CancellationToken.Reason reason, long at) {
    }

    /** Stops every attempt running here. */
    void stopAll(CancellationToken.Reason reason) {
        running.values().forEach(source -> source.cancel(reason));
    }

    /**
     * Runs the leased job of {@code kind} to its end; never throws. Its task is already running
     * when the lease started it ({@link LeasedTask#started()}); otherwise this attempt looks it up
     * and starts it.
     */
    void run(TaskKind kind, LeasedTask leased) {
        Lease lease = leased.lease();
        TaskId id = TaskId.parseOrNull(lease.payload());
        if (id == null) {
            log.warn("dropping job {} with a malformed payload", lease.jobId());
            queue.ack(lease);
            return;
        }
        MDC.put("task_id", id.value());
        CancellationSource source = new CancellationSource();
        // Why the attempt need not read its task again before the runner starts:
        // - When this attempt starts the task (its store could not start it in the lease), the
        //   project is looked up (the slow part of preparing) before begin() moves the task to
        //   running. A cancel landing until that compare-and-set finds the task initializing
        //   and cancels it there: ours then fails, begin() reads the task cancelled, and the
        //   runner never starts.
        // - A cancel of a running task stores CANCELLED by compare-and-set and only then sends
        //   its request on the bus. The stop signal is registered here, before begin()'s
        //   compare-and-set, so a cancel landing after ours has a request that finds this entry.
        // - When the lease started the task, the request can come before this entry exists:
        //   stop() then keeps it, and it is found here. A request that lands while the project
        //   is looked up stops the attempt before its runner is called (execute()).
        running.put(id, source);
        UnmatchedStop early = unmatchedStops.remove(id);
        if (early != null) {
            source.cancel(early.reason());
        }
        // Renewed from now on: beginning the attempt and finding its project take time too.
        AttemptTimers.Clocks clocks = timers.track(lease, id, source);
        try {
            Started started = leased.started() != null
                    ? begun(kind, lease, leased.started(), source)
                    : begin(kind, lease, id, source);
            if (started != null) {
                MDC.put("user", started.attempt.task().owner());
                MDC.put("project", started.attempt.task().projectName());
                execute(started.attempt, started.project, clocks);
            }
        } catch (RuntimeException e) {
            // The store or queue failed around the attempt; the lease lapses and the job returns.
            metrics.exception();
            log.error("attempt of task {} aborted by an infrastructure error", id, e);
        } finally {
            clocks.stop();
            // Only this attempt's entry: a redelivery of the same task may have replaced it.
            running.remove(id, source);
            MDC.remove("task_id");
            MDC.remove("user");
            MDC.remove("project");
        }
    }

    /** An attempt that has moved its task to running, and the task's project. */
    private record Started(Attempt attempt, Project project) {
    }

    /** The task's project as looked up before it starts: its spec, or why it has none. */
    private record Project(ProjectSpec spec, TaskError error) {
    }

    /** An attempt whose lease moved its task to running: looks up the project and announces the start. */
    private Started begun(TaskKind kind, Lease lease, TaskRecord started, CancellationSource source) {
        Project project = lookUp(started.projectName());
        updater.announceStart(started);
        return started(kind, lease, started, source, project);
    }

    private Started started(TaskKind kind, Lease lease, TaskRecord started, CancellationSource source,
            Project project) {
        TaskLog.started(started);
        LogBuffer logs = new LogBuffer(started.id(), store, events, clock, config.logBatchLines());
        return new Started(new Attempt(lease, kind, source, started, logs, updater, store, clock), project);
    }

    /**
     * Looks up the task's project and then moves the task to running; null when there is
     * nothing to run (the job is acked).
     */
    private Started begin(TaskKind kind, Lease lease, TaskId id, CancellationSource source) {
        Project project = null;
        for (int tries = 0; tries < 5; tries++) {
            Optional<TaskRecord> found = store.find(id);
            if (found.isEmpty() || found.get().isTerminal()) {
                queue.ack(lease);
                return null;
            }
            TaskRecord record = found.get();
            if (project == null) {
                project = lookUp(record.projectName());
            }
            if (record.status() == TaskStatus.RUNNING) {
                // Redelivered while marked running: the worker that held it is gone.
                if (!record.hasAttemptsLeft()) {
                    TaskRecord failed = record.transitionTo(TaskStatus.FAILED, null,
                            new TaskError(TaskError.INFRASTRUCTURE, "worker lost after "
                                    + record.attempt() + " attempts"), clock.instant());
                    if (updater.apply(record, failed)) {
                        TaskLog.ended(failed);
                        queue.ack(lease);
                        return null;
                    }
                    continue;
                }
                TaskRecord retry = record.transitionTo(TaskStatus.INITIALIZING, null,
                        new TaskError(TaskError.INFRASTRUCTURE, "worker lost; retrying"), clock.instant());
                if (!updater.apply(record, retry)) {
                    continue;
                }
                metrics.retry();
                record = retry;
            }
            TaskRecord started = record.start(clock.instant());
            if (updater.apply(record, started)) {
                return started(kind, lease, started, source, project);
            }
        }
        log.warn("task {} kept changing under the worker; leaving its job to be redelivered", id);
        return null;
    }

    private Project lookUp(String name) {
        try {
            ProjectSpec spec = catalog.find(name).orElse(null);
            return spec != null ? new Project(spec, null)
                    : new Project(null, new TaskError(TaskError.PROJECT, "project '" + name + "' is not in the catalog"));
        } catch (ProjectConfigException e) {
            return new Project(null, new TaskError(TaskError.PROJECT, e.getMessage()));
        }
    }

    private void execute(Attempt attempt, Project project, AttemptTimers.Clocks clocks) {
        if (project.error() != null) {
            // An attempt all the same, so the failure is stored like any other result.
            conclusion.finish(attempt, TaskStatus.FAILED, null, project.error());
            return;
        }
        ProjectSpec spec = project.spec();
        Duration soft = spec.softTimeout() != null ? spec.softTimeout() : config.softTimeout(attempt.kind);
        Duration hard = spec.hardTimeout() != null ? spec.hardTimeout() : config.hardTimeout(attempt.kind);
        attempt.thread = Thread.currentThread();
        clocks.arm(attempt, soft, hard, () -> abandon(attempt, hard));
        RunOutcome outcome = null;
        RuntimeException failure = null;
        Optional<CancellationToken.Reason> stoppedFor;
        try {
            if (attempt.source.reason().isEmpty()) {
                // not cancelled before it began (a cancel can land while the project is looked up)
                outcome = Objects.requireNonNull(runners.get(attempt.kind).run(spec, attempt), "runner returned null");
            }
        } catch (RuntimeException e) {
            failure = e;
        } catch (StackOverflowError | LinkageError e) {
            // Thrown by a compiler or analyzer on pathological input: a failure of this attempt,
            // not of the worker.
            failure = new IllegalStateException(e);
        } finally {
            // Read before the timers stop, so a timer that fires after the runner returned
            // cannot turn a finished result into a timeout.
            stoppedFor = attempt.source.reason();
            clocks.stop();
        }
        if (attempt.concluded.compareAndSet(false, true)) {
            Thread.interrupted(); // clear an interrupt from an abandon that lost the race
            conclusion.conclude(attempt, stoppedFor, outcome, failure, soft, hard);
        }
    }

    /**
     * The hard timeout struck and, after its grace, the runner still has not returned (it does
     * not heed cancellation): fail the task now, stop renewing the lease, and interrupt the
     * worker thread. Whatever the runner returns later is ignored.
     */
    private void abandon(Attempt attempt, Duration hard) {
        if (!attempt.concluded.compareAndSet(false, true)) {
            return;
        }
        log.error("task {}: the runner ignored the hard timeout of {}; abandoning the attempt",
                attempt.task().id(), Conclusion.human(hard));
        try {
            conclusion.finish(attempt, TaskStatus.FAILED, null, new TaskError(TaskError.TIMEOUT,
                    "stopped: exceeded the hard timeout of " + Conclusion.human(hard)));
        } catch (RuntimeException e) {
            log.error("task {}: could not store the abandoned attempt's failure", attempt.task().id(), e);
        } finally {
            Thread thread = attempt.thread;
            if (thread != null) {
                thread.interrupt();
            }
        }
    }
}
