package dev.forge.exec;

import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.queue.Queues;
import dev.forge.task.TaskKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that leases jobs: it takes a worker slot first and only then leases, from
 * whichever queue has a job, so a job is never leased without a worker free to run it. It asks
 * for as many jobs as workers are free in one call, so a queue backend that is a network round
 * trip away fills a pool of workers at the pace of its round trips times the free workers, not
 * one job per round trip. The order of the queues rotates so that a busy queue cannot starve
 * the other.
 */
final class Dispatcher {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final ExecutorConfig config;
    private final JobQueue queue;
    private final ExecutorService workers;
    private final AttemptRunner attempts;
    private final Semaphore slots;
    private final AtomicInteger busy = new AtomicInteger();
    private final List<String> names = new ArrayList<>();
    private final Map<String, TaskKind> kinds = new HashMap<>();
    private final Thread thread;
    private volatile boolean stopping;

    Dispatcher(ExecutorConfig config, JobQueue queue, Set<TaskKind> runnable, ExecutorService workers,
            AttemptRunner attempts) {
        this.config = config;
        this.queue = queue;
        this.workers = workers;
        this.attempts = attempts;
        this.slots = new Semaphore(config.workers(), true);
        for (TaskKind kind : runnable) {
            names.add(Queues.forKind(kind));
            kinds.put(Queues.forKind(kind), kind);
        }
        this.thread = new Thread(this::loop, "forge-dispatcher");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Stops leasing and waits (up to 10 s) for the thread to end; attempts keep running. */
    void stop() {
        stopping = true;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Workers running an attempt now. */
    int busy() {
        return busy.get();
    }

    private void loop() {
        while (!stopping) {
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            // Every worker free now is filled by one lease call: one round trip for several jobs.
            int free = 1 + slots.drainPermits();
            int handedOff = 0;
            try {
                List<Lease> leases = queue.lease(names, free, config.leaseVisibility(), config.pollWait());
                for (Lease lease : leases) {
                    if (!handOff(lease)) {
                        leases.subList(handedOff + 1, leases.size()).forEach(this::giveBack);
                        return;
                    }
                    handedOff++;
                }
                if (!leases.isEmpty()) {
                    Collections.rotate(names, 1);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("could not lease from queues {}; retrying", names, e);
                pause(config.pollWait());
            } finally {
                slots.release(free - handedOff);
            }
        }
    }

    /** False when the workers are shutting down; the job then goes straight back to the queue. */
    private boolean handOff(Lease held) {
        TaskKind kind = kinds.get(held.queue());
        try {
            workers.execute(() -> {
                busy.incrementAndGet();
                try {
                    attempts.run(kind, held);
                } finally {
                    busy.decrementAndGet();
                    slots.release();
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            // Shutting down: give the job back instead of letting it wait for its lease to lapse.
            giveBack(held);
            return false;
        }
    }

    private void giveBack(Lease held) {
        try {
            queue.release(held, Duration.ZERO);
        } catch (RuntimeException e) {
            log.warn("could not give job {} back; its lease will lapse", held.jobId(), e);
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
