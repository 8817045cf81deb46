package dev.forge.exec;

import dev.forge.lock.ClusterLock;
import dev.forge.queue.JobQueue;
import dev.forge.queue.Queues;
import dev.forge.store.TaskStore;
import dev.forge.task.TaskId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's housekeeping, run by one node per interval: retention (delete terminal tasks
 * past the retention) and the health sweep (check that the shared store and queue answer).
 *
 * <p>Every node tries, and a {@link ClusterLock} picks the one that runs: a node runs a job only
 * when it takes the job's lock with a lease of the job's interval, and never releases it, so the
 * next run anywhere waits for the lease to lapse. A node tries only once its own last run is an
 * interval old, and then every quarter interval (at least once a minute) until it wins: a run is
 * not repeated within an interval, and when the node that ran last goes away another takes over
 * within one tick of the lapse. The lock decides by the backend's clock; the intervals a node
 * waits are measured by its own monotonic clock, so skew between nodes does not matter.
 */
final class Maintenance {

    private static final Logger log = LoggerFactory.getLogger(Maintenance.class);

    /** Lock of the retention job. */
    static final String RETENTION = "retention";
    /** Lock of the health sweep. */
    static final String HEALTH = "health";

    private final ExecutorConfig config;
    private final TaskStore store;
    private final JobQueue queue;
    private final ClusterLock lock;
    private final String node;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final Executor io;
    private final AtomicLong lastHealthyMillis = new AtomicLong();

    Maintenance(ExecutorConfig config, TaskStore store, JobQueue queue, ClusterLock lock, String node,
            Clock clock, ScheduledExecutorService timer, Executor io) {
        this.config = config;
        this.store = store;
        this.queue = queue;
        this.lock = lock;
        this.node = node;
        this.clock = clock;
        this.timer = timer;
        this.io = io;
    }

    void start() {
        schedule(HEALTH, config.healthInterval(), this::healthSweep);
        schedule(RETENTION, config.retentionInterval(), this::runRetention);
    }

    /** When this node's last health sweep found the store and queue answering, or null. */
    Instant lastHealthy() {
        long millis = lastHealthyMillis.get();
        return millis == 0 ? null : Instant.ofEpochMilli(millis);
    }

    /** Deletes terminal tasks older than the retention now; returns how many. */
    int runRetention() {
        Instant cutoff = clock.instant().minus(config.retention());
        int deleted = store.deleteTerminalBefore(cutoff);
        if (deleted > 0) {
            log.info("retention: deleted {} tasks completed before {}", deleted, cutoff);
        }
        return deleted;
    }

    private void healthSweep() {
        store.find(TaskId.of("health-probe"));
        long depth = queue.depth(Queues.BUILD) + queue.depth(Queues.ANALYSIS);
        lastHealthyMillis.set(clock.millis());
        log.debug("health sweep: store and queue answer; {} jobs queued", depth);
    }

    private void schedule(String job, Duration interval, Runnable work) {
        long tick = Math.max(1, Math.min(interval.toMillis() / 4, Duration.ofMinutes(1).toMillis()));
        AtomicLong lastRunNanos = new AtomicLong(System.nanoTime() - interval.toNanos());
        AtomicBoolean busy = new AtomicBoolean();
        // The first try comes at once: a cluster that was down for a while sweeps when it returns.
        timer.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - lastRunNanos.get() < interval.toNanos() || !busy.compareAndSet(false, true)) {
                return;
            }
            try {
                io.execute(() -> {
                    try {
                        if (lock.tryAcquire(job, node, interval)) {
                            lastRunNanos.set(System.nanoTime());
                            work.run();
                        }
                    } catch (RuntimeException e) {
                        log.error("maintenance job {} failed", job, e);
                    } finally {
                        busy.set(false);
                    }
                });
            } catch (RejectedExecutionException e) {
                busy.set(false);
            }
        }, 0, tick, TimeUnit.MILLISECONDS);
    }
}
