package dev.forge.exec;

import dev.forge.InfrastructureException;
import dev.forge.events.EventBus;
import dev.forge.events.TaskEvent;
import dev.forge.metrics.ForgeMetrics;
import dev.forge.project.ProjectCatalog;
import dev.forge.project.ProjectConfigException;
import dev.forge.project.ProjectSpec;
import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.queue.Queues;
import dev.forge.store.TaskStore;
import dev.forge.task.TaskError;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs queued tasks on a bounded pool of workers. For each job it leases, it moves the task
 * {@code initializing -> running}, keeps the lease alive with heartbeats, enforces the soft and
 * hard timeouts, runs the kind's {@link TaskRunner}, and finishes with a compare-and-set, so a
 * worker that lost its lease can never overwrite a newer attempt. Infrastructure failures are
 * retried with exponential backoff; a task's own failure (a step exiting non-zero) is a result.
 *
 * <p>Also schedules maintenance: deleting terminal tasks past the retention, and a health sweep.
 */
public final class JobExecutor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JobExecutor.class);

    /** Maintenance job: delete terminal tasks past the retention. */
    static final String RETENTION_JOB = "retention";
    /** Maintenance job: check that the store and queue answer. */
    static final String HEALTH_JOB = "health";

    private final ExecutorConfig config;
    private final TaskStore store;
    private final JobQueue queue;
    private final EventBus events;
    private final ProjectCatalog catalog;
    private final Map<TaskKind, TaskRunner> runners;
    private final TaskUpdater updater;
    private final ForgeMetrics metrics;
    private final Clock clock;

    private final Semaphore slots;
    private final ExecutorService workers;
    private final ScheduledExecutorService scheduler;
    private final List<Thread> dispatchers = new ArrayList<>();
    private final Map<TaskId, Attempt> running = new ConcurrentHashMap<>();
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicLong lastHealthyMillis = new AtomicLong();
    private volatile boolean started;
    private volatile boolean stopping;
    private EventBus.Subscription cancelSubscription;

    /**
     * Creates an executor; {@link #start()} begins leasing.
     *
     * @param runners one runner per task kind
     */
    public JobExecutor(ExecutorConfig config, TaskStore store, JobQueue queue, EventBus events,
            ProjectCatalog catalog, Map<TaskKind, TaskRunner> runners, TaskUpdater updater,
            ForgeMetrics metrics, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.store = Objects.requireNonNull(store, "store");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.events = Objects.requireNonNull(events, "events");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.runners = new EnumMap<>(Objects.requireNonNull(runners, "runners"));
        this.updater = Objects.requireNonNull(updater, "updater");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.slots = new Semaphore(config.workers(), true);
        this.workers = Executors.newFixedThreadPool(config.workers(), daemonThreads("forge-worker-"));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemonThreads("forge-scheduler-"));
        metrics.gauge("forge_workers_busy", "Workers running an attempt", busy::get);
        for (String name : List.of(Queues.BUILD, Queues.ANALYSIS)) {
            metrics.gauge("forge_queue_depth", "Jobs waiting, delayed or leased in a queue",
                    () -> safeDepth(name), "queue", name);
        }
    }

    /** Starts leasing jobs and scheduling maintenance. Idempotent. */
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        cancelSubscription = events.onCancel(this::onCancel);
        Thread dispatcher = new Thread(this::dispatch, "forge-dispatcher");
        dispatcher.setDaemon(true);
        dispatchers.add(dispatcher);
        dispatcher.start();
        Thread maintenance = new Thread(this::maintain, "forge-maintenance");
        maintenance.setDaemon(true);
        dispatchers.add(maintenance);
        maintenance.start();
        long retentionMs = config.retentionInterval().toMillis();
        scheduler.scheduleAtFixedRate(() -> enqueueMaintenance(RETENTION_JOB), retentionMs,
                retentionMs, TimeUnit.MILLISECONDS);
        long healthMs = config.healthInterval().toMillis();
        scheduler.scheduleAtFixedRate(() -> enqueueMaintenance(HEALTH_JOB), 0, healthMs,
                TimeUnit.MILLISECONDS);
    }

    /** True between {@link #start()} and {@link #close()}. */
    public boolean isRunning() {
        return started && !stopping;
    }

    /** Workers running an attempt now. */
    public int busyWorkers() {
        return busy.get();
    }

    /** The configured worker count. */
    public int workerCount() {
        return config.workers();
    }

    /** When the last health sweep found the store and queue answering, or null. */
    public Instant lastHealthy() {
        long millis = lastHealthyMillis.get();
        return millis == 0 ? null : Instant.ofEpochMilli(millis);
    }

    /** Deletes terminal tasks older than the retention now; returns how many. */
    public int runRetention() {
        Instant cutoff = clock.instant().minus(config.retention());
        int deleted = store.deleteTerminalBefore(cutoff);
        if (deleted > 0) {
            log.info("retention: deleted {} tasks completed before {}", deleted, cutoff);
        }
        return deleted;
    }

    /**
     * Graceful shutdown: stops leasing, lets running attempts finish until the deadline, then
     * stops the rest and gives their jobs back to the queue for another worker.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        dispatchers.forEach(Thread::interrupt);
        for (Thread thread : dispatchers) {
            joinQuietly(thread);
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(config.shutdownDeadline().toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("shutdown: {} attempts still running after {}, stopping them",
                        running.size(), config.shutdownDeadline());
                running.values().forEach(a -> a.source.cancel(CancellationToken.Reason.SHUTDOWN));
                workers.awaitTermination(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
        scheduler.shutdownNow();
        if (cancelSubscription != null) {
            cancelSubscription.close();
        }
    }

    // --- dispatching ------------------------------------------------------------------------

    /**
     * Leases a job only when a worker is free to run it, from whichever queue has one; the
     * order of the queues rotates so that a busy queue cannot starve the other.
     */
    private void dispatch() {
        List<String> names = new ArrayList<>();
        Map<String, TaskKind> kinds = new HashMap<>();
        for (TaskKind kind : runners.keySet()) {
            names.add(Queues.forKind(kind));
            kinds.put(Queues.forKind(kind), kind);
        }
        while (!stopping) {
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            boolean handedOff = false;
            try {
                Optional<Lease> lease = queue.lease(names, config.leaseVisibility(), config.pollWait());
                if (lease.isPresent()) {
                    Lease held = lease.get();
                    TaskKind kind = kinds.get(held.queue());
                    try {
                        workers.execute(() -> {
                            busy.incrementAndGet();
                            try {
                                runLease(kind, held);
                            } finally {
                                busy.decrementAndGet();
                                slots.release();
                            }
                        });
                        handedOff = true;
                    } catch (RejectedExecutionException e) {
                        // Shutting down: give the job straight back instead of letting it wait
                        // for its lease to lapse.
                        queue.release(held, Duration.ZERO);
                        return;
                    }
                    Collections.rotate(names, 1);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("could not lease from queues {}; retrying", names, e);
                pause(config.pollWait());
            } finally {
                if (!handedOff) {
                    slots.release();
                }
            }
        }
    }

    private void runLease(TaskKind kind, Lease lease) {
        TaskId id = TaskId.parseOrNull(lease.payload());
        if (id == null) {
            log.warn("dropping job {} with a malformed payload", lease.jobId());
            queue.ack(lease);
            return;
        }
        MDC.put("task_id", id.value());
        try {
            Attempt attempt = begin(lease, id);
            if (attempt != null) {
                MDC.put("user", attempt.task().owner());
                MDC.put("project", attempt.task().projectName());
                running.put(id, attempt);
                try {
                    // A cancel stored between our start and the line above found no attempt to
                    // stop: look once more, now that later cancel requests will find it.
                    if (store.find(id).map(TaskRecord::status).orElse(null) == TaskStatus.CANCELLED) {
                        attempt.source.cancel(CancellationToken.Reason.USER);
                    }
                    execute(kind, attempt);
                } finally {
                    // Only this attempt's entry: a redelivery of the same task may have replaced it.
                    running.remove(id, attempt);
                }
            }
        } catch (RuntimeException e) {
            // The store or queue failed around the attempt; the lease lapses and the job returns.
            metrics.exception();
            log.error("attempt of task {} aborted by an infrastructure error", id, e);
        } finally {
            MDC.remove("task_id");
            MDC.remove("user");
            MDC.remove("project");
        }
    }

    /** Moves the task to running; null when there is nothing to run (the job is acked). */
    private Attempt begin(Lease lease, TaskId id) {
        for (int tries = 0; tries < 5; tries++) {
            Optional<TaskRecord> found = store.find(id);
            if (found.isEmpty() || found.get().isTerminal()) {
                queue.ack(lease);
                return null;
            }
            TaskRecord record = found.get();
            if (record.status() == TaskStatus.RUNNING) {
                // Redelivered while marked running: the worker that held it is gone.
                if (!record.hasAttemptsLeft()) {
                    TaskRecord failed = record.transitionTo(TaskStatus.FAILED, null,
                            new TaskError(TaskError.INFRASTRUCTURE, "worker lost after "
                                    + record.attempt() + " attempts"), clock.instant());
                    if (updater.apply(record, failed)) {
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
                return new Attempt(lease, started);
            }
        }
        log.warn("task {} kept changing under the worker; leaving its job to be redelivered", id);
        return null;
    }

    private void execute(TaskKind kind, Attempt attempt) {
        TaskRecord task = attempt.task();
        ProjectSpec spec;
        try {
            spec = catalog.find(task.projectName()).orElse(null);
        } catch (ProjectConfigException e) {
            finish(attempt, TaskStatus.FAILED, null, new TaskError(TaskError.PROJECT, e.getMessage()));
            return;
        }
        if (spec == null) {
            finish(attempt, TaskStatus.FAILED, null, new TaskError(TaskError.PROJECT,
                    "project '" + task.projectName() + "' is not in the catalog"));
            return;
        }
        Duration soft = spec.softTimeout() != null ? spec.softTimeout() : config.softTimeout(kind);
        Duration hard = spec.hardTimeout() != null ? spec.hardTimeout() : config.hardTimeout(kind);
        attempt.thread = Thread.currentThread();
        List<ScheduledFuture<?>> timers = new ArrayList<>();
        long heartbeat = config.heartbeatInterval().toMillis();
        timers.add(scheduler.scheduleAtFixedRate(() -> heartbeat(attempt), heartbeat, heartbeat,
                TimeUnit.MILLISECONDS));
        timers.add(scheduler.schedule(() -> attempt.source.cancel(CancellationToken.Reason.SOFT_TIMEOUT),
                soft.toMillis(), TimeUnit.MILLISECONDS));
        timers.add(scheduler.schedule(() -> attempt.source.cancel(CancellationToken.Reason.HARD_TIMEOUT),
                hard.toMillis(), TimeUnit.MILLISECONDS));
        timers.add(scheduler.schedule(() -> abandon(attempt, timers.get(0), hard),
                hard.plus(config.hardTimeoutGrace()).toMillis(), TimeUnit.MILLISECONDS));
        RunOutcome outcome = null;
        RuntimeException failure = null;
        Optional<CancellationToken.Reason> stoppedFor;
        try {
            outcome = Objects.requireNonNull(runners.get(kind).run(spec, attempt), "runner returned null");
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
            timers.forEach(t -> t.cancel(false));
        }
        if (attempt.concluded.compareAndSet(false, true)) {
            Thread.interrupted(); // clear an interrupt from an abandon that lost the race
            conclude(attempt, stoppedFor, outcome, failure, soft, hard);
        }
    }

    /**
     * The hard timeout struck and, after its grace, the runner still has not returned (it does
     * not heed cancellation): fail the task now, stop renewing the lease, and interrupt the
     * worker thread. Whatever the runner returns later is ignored.
     */
    private void abandon(Attempt attempt, ScheduledFuture<?> heartbeat, Duration hard) {
        if (!attempt.concluded.compareAndSet(false, true)) {
            return;
        }
        heartbeat.cancel(false);
        log.error("task {}: the runner ignored the hard timeout of {}; abandoning the attempt",
                attempt.task().id(), human(hard));
        finish(attempt, TaskStatus.FAILED, null, new TaskError(TaskError.TIMEOUT,
                "stopped: exceeded the hard timeout of " + human(hard)));
        Thread thread = attempt.thread;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void conclude(Attempt attempt, Optional<CancellationToken.Reason> reason,
            RunOutcome outcome, RuntimeException failure, Duration soft, Duration hard) {
        Map<String, Object> results = outcome == null ? null : outcome.results();
        if (reason.isPresent()) {
            switch (reason.get()) {
                case USER:
                    // The service already stored "cancelled"; the attempt's result is void.
                    queue.ack(attempt.lease);
                    return;
                case SOFT_TIMEOUT:
                case HARD_TIMEOUT:
                    String which = attempt.source.wasRequested(CancellationToken.Reason.HARD_TIMEOUT)
                            ? "hard timeout of " + human(hard) : "soft timeout of " + human(soft);
                    finish(attempt, TaskStatus.FAILED, results,
                            new TaskError(TaskError.TIMEOUT, "stopped: exceeded the " + which));
                    return;
                case SHUTDOWN:
                    if (!attempt.leaseLost) {
                        retry(attempt, new TaskError(TaskError.INFRASTRUCTURE,
                                "worker shut down; will run again"), Duration.ZERO);
                    }
                    return;
                default:
                    throw new IllegalStateException("unknown reason " + reason.get());
            }
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

    private void finish(Attempt attempt, TaskStatus status, Map<String, Object> results, TaskError error) {
        boolean stored;
        try {
            stored = attempt.update(current -> current.transitionTo(status, results, error, clock.instant()));
        } catch (IllegalArgumentException e) {
            // The store refused the runner's results (not JSON-shaped): a bug in the runner, but
            // the task must still end rather than stay running until its lease lapses.
            metrics.exception();
            log.error("task {}: results could not be stored", attempt.task().id(), e);
            stored = attempt.update(current -> current.transitionTo(TaskStatus.FAILED, Map.of(),
                    new TaskError(TaskError.TASK, "the task's results could not be stored"), clock.instant()));
        }
        // When the update loses to a user's cancel, the task is terminal anyway: ack the job.
        if (stored || !attempt.leaseLost) {
            queue.ack(attempt.lease);
        }
    }

    private void retry(Attempt attempt, TaskError error, Duration delay) {
        if (attempt.update(current -> current.transitionTo(TaskStatus.INITIALIZING, null, error, clock.instant()))) {
            metrics.retry();
            queue.release(attempt.lease, delay);
        } else if (!attempt.leaseLost) {
            queue.ack(attempt.lease);
        }
    }

    /** How long the retry after {@code attempt} waits: base * 2^attempt, plus jitter. */
    Duration backoff(int attempt) {
        long base = config.retryBase().toMillis() << Math.min(attempt, 20);
        long jitter = (long) (base * config.retryJitter() * ThreadLocalRandom.current().nextDouble());
        return Duration.ofMillis(base + jitter);
    }

    private void heartbeat(Attempt attempt) {
        try {
            if (!queue.extend(attempt.lease, config.leaseVisibility())) {
                log.warn("lost the lease of task {}; stopping this attempt", attempt.task().id());
                attempt.leaseLost = true;
                attempt.source.cancel(CancellationToken.Reason.SHUTDOWN);
            }
        } catch (RuntimeException e) {
            log.warn("heartbeat of task {} failed; will try again", attempt.task().id(), e);
        }
    }

    private void onCancel(TaskId id) {
        Attempt attempt = running.get(id);
        if (attempt != null) {
            attempt.source.cancel(CancellationToken.Reason.USER);
        }
    }

    // --- maintenance -------------------------------------------------------------------------

    private void enqueueMaintenance(String job) {
        try {
            queue.enqueue(Queues.MAINTENANCE, job);
        } catch (RuntimeException e) {
            log.warn("could not schedule maintenance job {}", job, e);
        }
    }

    private void maintain() {
        while (!stopping) {
            try {
                Optional<Lease> lease = queue.lease(Queues.MAINTENANCE, config.leaseVisibility(), config.pollWait());
                if (lease.isEmpty()) {
                    continue;
                }
                if (RETENTION_JOB.equals(lease.get().payload())) {
                    runRetention();
                } else if (HEALTH_JOB.equals(lease.get().payload())) {
                    healthSweep();
                }
                queue.ack(lease.get());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("maintenance failed", e);
                pause(config.pollWait());
            }
        }
    }

    private void healthSweep() {
        store.find(TaskId.of("health-probe"));
        long depth = queue.depth(Queues.BUILD) + queue.depth(Queues.ANALYSIS);
        lastHealthyMillis.set(clock.millis());
        log.debug("health sweep: store and queue answer; {} jobs queued, {} running", depth, running.size());
    }

    // --- helpers -----------------------------------------------------------------------------

    private long safeDepth(String name) {
        try {
            return queue.depth(name);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static String human(Duration duration) {
        return duration.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One running attempt: its lease, its stop signal, and the latest record it wrote. */
    private final class Attempt implements TaskContext {
        final Lease lease;
        final CancellationSource source = new CancellationSource();
        /** Set once by whoever ends the attempt: its runner returning, or {@link #abandon}. */
        final AtomicBoolean concluded = new AtomicBoolean();
        volatile Thread thread;
        private TaskRecord current;
        volatile boolean leaseLost;
        private int lastPercent = -1;
        private String lastStep;

        Attempt(Lease lease, TaskRecord started) {
            this.lease = lease;
            this.current = started;
        }

        @Override
        public synchronized TaskRecord task() {
            return current;
        }

        @Override
        public CancellationToken cancellation() {
            return source;
        }

        @Override
        public void progress(int percent, String step) {
            int clamped = Math.max(0, Math.min(100, percent));
            synchronized (this) {
                if (clamped == lastPercent && Objects.equals(step, lastStep)) {
                    return;
                }
                lastPercent = clamped;
                lastStep = step;
            }
            update(record -> record.withProgress(clamped, step, clock.instant()));
        }

        @Override
        public void log(String line) {
            long lastLine = store.appendLogs(current.id(), List.of(line));
            events.publish(TaskEvent.logs(current.id(), List.of(line), lastLine, clock.instant()));
        }

        /**
         * Applies a change to this attempt's record by compare-and-set. When the stored record
         * moved on - cancelled by a user, or taken over by another worker - the attempt is
         * told to stop and false is returned.
         */
        synchronized boolean update(java.util.function.UnaryOperator<TaskRecord> change) {
            for (int tries = 0; tries < 3; tries++) {
                TaskRecord next = change.apply(current);
                if (updater.apply(current, next)) {
                    current = next;
                    return true;
                }
                TaskRecord stored = store.find(current.id()).orElse(null);
                if (stored == null || stored.status() != TaskStatus.RUNNING
                        || stored.attempt() != current.attempt()) {
                    boolean cancelled = stored != null && stored.status() == TaskStatus.CANCELLED;
                    if (!cancelled) {
                        leaseLost = true;
                    }
                    source.cancel(cancelled ? CancellationToken.Reason.USER
                            : CancellationToken.Reason.SHUTDOWN);
                    return false;
                }
                current = stored;
            }
            return false;
        }
    }
}
