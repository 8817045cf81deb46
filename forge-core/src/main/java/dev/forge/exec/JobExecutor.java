package dev.forge.exec;

import dev.forge.Internal;
import dev.forge.events.EventBus;
import dev.forge.lock.ClusterLock;
import dev.forge.metrics.ForgeMetrics;
import dev.forge.project.ProjectCatalog;
import dev.forge.queue.JobQueue;
import dev.forge.queue.Queues;
import dev.forge.store.TaskStore;
import dev.forge.task.TaskKind;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs queued tasks on a bounded pool of workers. For each job it leases, it moves the task
 * {@code initializing -> running}, keeps the lease alive with heartbeats, enforces the soft and
 * hard timeouts, runs the kind's {@link TaskRunner}, and finishes with a compare-and-set, so a
 * worker that lost its lease can never overwrite a newer attempt. Infrastructure failures are
 * retried with exponential backoff; a task's own failure (a step exiting non-zero) is a result.
 * A cancel requested on any node ({@link EventBus#requestCancel}) stops the attempt here.
 *
 * <p>Also takes part in the cluster's maintenance: retention and the health sweep, each run by
 * one node per interval (see {@link ClusterLock}).
 *
 * <p>Threads: one dispatcher that leases, {@code workers} worker threads that run attempts, one
 * timer thread that only signals, and a small I/O pool that does what the timers ask of the store
 * and queue (heartbeats, status checks, log flushes, maintenance).
 */
@Internal
public final class JobExecutor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JobExecutor.class);

    private final ExecutorConfig config;
    private final EventBus events;
    private final JobQueue queue;
    private final ExecutorService workers;
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService io;
    private final AttemptTimers timers;
    private final AttemptRunner attempts;
    private final Dispatcher dispatcher;
    private final Maintenance maintenance;
    private volatile boolean started;
    private volatile boolean stopping;
    private EventBus.Subscription cancelRequests;

    /**
     * Creates an executor; {@link #start()} begins leasing.
     *
     * @param runners one runner per task kind
     * @param lock    picks the node that runs each maintenance job
     * @param node    this node's name as a lock holder, unique in the cluster
     */
    public JobExecutor(ExecutorConfig config, TaskStore store, JobQueue queue, EventBus events,
            ClusterLock lock, String node, ProjectCatalog catalog, Map<TaskKind, TaskRunner> runners,
            TaskUpdater updater, ForgeMetrics metrics, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.events = Objects.requireNonNull(events, "events");
        this.queue = Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(lock, "lock");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(updater, "updater");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(clock, "clock");
        Map<TaskKind, TaskRunner> byKind = new EnumMap<>(Objects.requireNonNull(runners, "runners"));
        this.workers = Executors.newFixedThreadPool(config.workers(), daemonThreads("forge-worker-"));
        // Nothing is scheduled per attempt: the attempts' deadlines are checked by one periodic
        // sweep (AttemptTimers), so the queue holds that sweep and maintenance's jobs, no more.
        this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads("forge-timer-"));
        this.io = Executors.newFixedThreadPool(config.workers() + 1, daemonThreads("forge-exec-io-"));
        this.timers = new AttemptTimers(config, timer, io, queue, store, System::nanoTime);
        this.attempts = new AttemptRunner(config, store, queue, events, catalog, byKind, updater,
                metrics, clock, this.timers);
        this.dispatcher = new Dispatcher(config, queue, byKind.keySet(), workers, attempts, updater, clock);
        this.maintenance = new Maintenance(config, store, queue, lock, node, clock, timer, io);
        metrics.gauge("forge_workers_busy", "Workers running an attempt", dispatcher::busy);
        for (String name : List.of(Queues.BUILD, Queues.ANALYSIS)) {
            metrics.gauge("forge_queue_depth", "Jobs waiting, delayed or leased in a queue",
                    () -> safeDepth(name), "queue", name);
            metrics.gauge("forge_queue_waiting_users",
                    "Users with a job visible in a queue, waiting for a worker (the queue's fairness groups)",
                    () -> safeWaitingUsers(name), "queue", name);
        }
    }

    /** Starts leasing jobs, listening for cancel requests and taking part in maintenance. Idempotent. */
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        // Only the control channel: a worker never reads other tasks' log traffic.
        cancelRequests = events.onCancel(id -> attempts.stop(id, CancellationToken.Reason.USER));
        timers.start();
        dispatcher.start();
        maintenance.start();
    }

    /** True between {@link #start()} and {@link #close()}. */
    public boolean isRunning() {
        return started && !stopping;
    }

    /** Workers running an attempt now. */
    public int busyWorkers() {
        return dispatcher.busy();
    }

    /** The configured worker count. */
    public int workerCount() {
        return config.workers();
    }

    /** When this node's last health sweep found the store and queue answering, or null. */
    public Instant lastHealthy() {
        return maintenance.lastHealthy();
    }

    /** Deletes terminal tasks older than the retention now, on this node; returns how many. */
    public int runRetention() {
        return maintenance.runRetention();
    }

    /** Timers queued and not yet run: the attempts' sweep and maintenance's periodic jobs. */
    int pendingTimers() {
        return timer.getQueue().size();
    }

    /** Leases whose heartbeat and timeouts are still tracked by the attempts' sweep. */
    int trackedAttempts() {
        return timers.trackedCount();
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
        if (started) {
            dispatcher.stop();
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(config.shutdownDeadline().toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("shutdown: {} attempts still running after {}, stopping them",
                        attempts.runningCount(), config.shutdownDeadline());
                attempts.stopAll(CancellationToken.Reason.SHUTDOWN);
                workers.awaitTermination(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
        timer.shutdownNow();
        io.shutdown();
        try {
            io.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        io.shutdownNow();
        if (cancelRequests != null) {
            cancelRequests.close();
        }
    }

    private long safeDepth(String name) {
        try {
            return queue.depth(name);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private long safeWaitingUsers(String name) {
        try {
            return queue.waitingGroups(name);
        } catch (RuntimeException e) {
            return -1;
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
}
