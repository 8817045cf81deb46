package dev.forge.exec;

import dev.forge.concurrent.GroupCall;
import dev.forge.queue.JobQueue;
import dev.forge.queue.Queues;
import dev.forge.store.LeasedTask;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 *
 * <p>When a lease call filled every worker it asked for, the queue probably holds more: each of
 * those workers then leases its own next job (without waiting) as soon as its attempt ends, and
 * goes back to the pool only when that finds nothing. Under a backlog a job thus costs no
 * hand-off between threads (wake the dispatcher, lease, wake a worker), which was most of the
 * system time of a no-op job; when jobs arrive one at a time the dispatcher hands each over as
 * before, and a backlog's end costs each of its workers one empty lease. Workers that ask at
 * the same time share one lease call ({@link GroupCall}): on PostgreSQL each lease is a
 * transaction on the queue's clock row, and twenty workers leasing one job each queued behind
 * each other's commits (engine throughput fell from about 800 to 360-400 jobs/s).
 *
 * <p>Those workers' lease calls also lease ahead ({@link LeaseAhead}): the jobs the workers are
 * measured to finish while the next few lease calls are on their way, held on this node for the
 * next workers that end an attempt, which take one without a round trip. Workers ending attempts
 * a few at a time otherwise made lease batches of three or four on PostgreSQL, each paying the
 * clock row's lock, the ranking scan and a commit. When a worker's take leaves at most half of
 * that number held, a refill thread leases more in the background (one call at a time, shared
 * with workers asking meanwhile), while the workers run the ones left: otherwise the held jobs
 * ran out together, every worker asked at once, and the pool went round in one convoy - all in
 * their final commits, then all in one lease, never both at once (with one worker JVM on
 * PostgreSQL, half of the workers' time). A held job waits at most
 * {@link ExecutorConfig#leaseAheadWait}: the dispatcher gives back those no worker took by then,
 * their tasks to initializing with the attempt they had.
 *
 * <p>Every lease goes through {@link TaskUpdater#leaseAndStart}: a store on the queue's backend
 * moves the leased jobs' tasks to running in the lease itself, so a worker does not write the
 * start separately (a fifth of a no-op job's CPU on Redis and PostgreSQL).
 */
final class Dispatcher {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final ExecutorConfig config;
    private final JobQueue queue;
    private final ExecutorService workers;
    private final AttemptRunner attempts;
    private final TaskUpdater updater;
    private final Clock clock;
    private final Semaphore slots;
    private final AtomicInteger busy = new AtomicInteger();
    /** The queues in each rotation, {@code rotations.get(turn % size)}; read by workers too. */
    private final List<List<String>> rotations;
    private final AtomicInteger turn = new AtomicInteger();
    /** Workers' own next leases under a backlog, those asked at once in one call. */
    private final GroupCall<Boolean, LeasedTask> nextLeases = new GroupCall<>(this::leaseForWorkers);
    private final Map<String, TaskKind> kinds = new HashMap<>();
    private final LeaseAhead ahead;
    private final Thread thread;
    /** Leases ahead in the background when the held jobs run low, one call at a time. */
    private final ExecutorService refiller;
    private final AtomicBoolean refilling = new AtomicBoolean();
    private volatile boolean stopping;

    Dispatcher(ExecutorConfig config, JobQueue queue, Set<TaskKind> runnable, ExecutorService workers,
            AttemptRunner attempts, TaskUpdater updater, Clock clock) {
        this.config = config;
        this.queue = queue;
        this.workers = workers;
        this.attempts = attempts;
        this.updater = updater;
        this.clock = clock;
        this.slots = new Semaphore(config.workers(), true);
        // a held job's lease runs down while it waits: never let it wait a quarter of the lease
        this.ahead = new LeaseAhead(config.workers(),
                Math.min(config.leaseAheadWait().toNanos(), config.leaseVisibility().toNanos() / 4));
        List<String> names = new ArrayList<>();
        for (TaskKind kind : runnable) {
            names.add(Queues.forKind(kind));
            kinds.put(Queues.forKind(kind), kind);
        }
        // Each rotation as Collections.rotate(names, 1) applied turn times would leave it.
        List<List<String>> all = new ArrayList<>();
        for (int t = 0; t < Math.max(1, names.size()); t++) {
            List<String> rotated = new ArrayList<>(names);
            Collections.rotate(rotated, t);
            all.add(List.copyOf(rotated));
        }
        this.rotations = List.copyOf(all);
        this.thread = new Thread(this::loop, "forge-dispatcher");
        thread.setDaemon(true);
        this.refiller = Executors.newSingleThreadExecutor(task -> {
            Thread refill = new Thread(task, "forge-lease-ahead");
            refill.setDaemon(true);
            return refill;
        });
    }

    void start() {
        thread.start();
    }

    /**
     * Stops leasing, waits (up to 10 s) for the thread to end and gives back the jobs leased
     * ahead; attempts keep running.
     */
    void stop() {
        stopping = true;
        thread.interrupt();
        refiller.shutdownNow();
        try {
            thread.join(10_000);
            refiller.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ahead.close().forEach(this::giveBack);
    }

    /** Workers running an attempt now. */
    int busy() {
        return busy.get();
    }

    private void loop() {
        while (!stopping) {
            try {
                if (!awaitSlot()) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
            // Every worker free now is filled by one lease call: one round trip for several jobs
            // (after the jobs held for them, if any).
            int free = 1 + slots.drainPermits();
            int handedOff = 0;
            try {
                List<LeasedTask> leases = heldThenLeased(free, false);
                // As many jobs as workers asked for: there are probably more, so each worker
                // leases its next one itself (see the class comment).
                boolean backlog = leases.size() == free;
                for (LeasedTask leased : leases) {
                    if (!handOff(leased, backlog)) {
                        leases.subList(handedOff + 1, leases.size()).forEach(this::giveBack);
                        return;
                    }
                    handedOff++;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("could not lease from queues {}; retrying", rotations.get(0), e);
                pause(config.pollWait());
            } finally {
                slots.release(free - handedOff);
            }
        }
    }

    /**
     * Waits for a free worker; while jobs are held, at most the longest they may wait at a time,
     * giving back those that waited that long. False when stopping.
     */
    private boolean awaitSlot() throws InterruptedException {
        long check = ahead.maxWaitNanos();
        if (check == 0) {
            slots.acquire();
            return true;
        }
        while (!slots.tryAcquire(check, TimeUnit.NANOSECONDS)) {
            if (stopping) {
                return false;
            }
            if (ahead.holdsAny()) {
                ahead.overdue(System.nanoTime()).forEach(this::giveBack);
            }
        }
        return true;
    }

    /**
     * Up to {@code count} jobs: those held first, then leased. The dispatcher's call waits up to
     * {@code pollWait} for a job; the workers' ({@code forWorkers}) does not wait, also leases
     * the jobs {@link LeaseAhead#wanted} and holds them, and is timed for it. When the lease
     * fails after held jobs were taken, those still come back (the error is logged), so no held
     * job is dropped.
     */
    private List<LeasedTask> heldThenLeased(int count, boolean forWorkers) throws InterruptedException {
        List<LeasedTask> held = ahead.take(count);
        int more = count - held.size();
        if (more == 0 && count > 0) {
            // the held jobs were enough: no round trip for these callers (more in the background)
            if (forWorkers) {
                refillIfLow();
            }
            return held;
        }
        int extra = forWorkers ? ahead.wanted() : 0;
        if (more + extra == 0) {
            return held;
        }
        List<LeasedTask> fresh;
        try {
            if (forWorkers) {
                long began = System.nanoTime();
                fresh = updater.leaseAndStart(queue, order(), more + extra, config.leaseVisibility(), Duration.ZERO);
                ahead.leaseTook(System.nanoTime() - began);
            } else {
                fresh = updater.leaseAndStart(queue, order(), more, config.leaseVisibility(), config.pollWait());
            }
        } catch (InterruptedException | RuntimeException e) {
            if (held.isEmpty()) {
                throw e;
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            } else {
                log.error("could not lease from queues {}; the dispatcher will retry", order(), e);
            }
            return held;
        }
        if (fresh.size() > more) {
            List<LeasedTask> surplus = List.copyOf(fresh.subList(more, fresh.size()));
            if (!ahead.hold(surplus, System.nanoTime())) {
                surplus.forEach(this::giveBack);
            }
            fresh = fresh.subList(0, more);
        }
        if (!fresh.isEmpty()) {
            turn.incrementAndGet();
        }
        return held.isEmpty() ? fresh : joined(held, fresh);
    }

    private static List<LeasedTask> joined(List<LeasedTask> first, List<LeasedTask> second) {
        List<LeasedTask> all = new ArrayList<>(first.size() + second.size());
        all.addAll(first);
        all.addAll(second);
        return all;
    }

    /** The queues in the current turn's order. */
    private List<String> order() {
        return rotations.get(Math.floorMod(turn.get(), rotations.size()));
    }

    /**
     * False when the workers are shutting down; the job then goes straight back to the queue.
     * With {@code leaseMore}, the worker leases its next jobs itself while there are any.
     */
    private boolean handOff(LeasedTask held, boolean leaseMore) {
        try {
            workers.execute(() -> {
                try {
                    LeasedTask next = held;
                    while (next != null) {
                        busy.incrementAndGet();
                        long began = System.nanoTime();
                        try {
                            attempts.run(kinds.get(next.lease().queue()), next);
                        } finally {
                            busy.decrementAndGet();
                            ahead.attemptTook(System.nanoTime() - began);
                        }
                        next = leaseMore ? nextReady() : null;
                    }
                } finally {
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

    /**
     * A job that is ready now, for a worker that just ended an attempt and keeps its slot; null
     * when there is none, or when the dispatcher is stopping (its slot then goes back and the
     * worker ends as a handed-off attempt would).
     */
    private LeasedTask nextReady() {
        // Between two tasks a pool thread's interrupt flag is cleared; an abandoned attempt
        // (hard timeout) may have left it set. Shutdown is told by stopping, set before any
        // interrupt of the workers.
        Thread.interrupted();
        if (stopping) {
            return null;
        }
        LeasedTask held = ahead.takeOne();
        if (held != null) {
            refillIfLow();
            return held;
        }
        try {
            return nextLeases.call(Boolean.TRUE);
        } catch (RuntimeException e) {
            log.error("could not lease from queues {}; the dispatcher will retry", order(), e);
            return null;
        }
    }

    /**
     * One lease call for the workers that asked for their next job at the same time, one job
     * each (null for those it found none for), after the jobs held for them; it also leases
     * the jobs {@link LeaseAhead#wanted} and holds them. On a shared queue a lease is a round
     * trip, and on PostgreSQL a transaction on the queue's clock row: many workers each leasing
     * one job would queue behind each other's commits, where one call leases for all of them.
     */
    private List<LeasedTask> leaseForWorkers(List<Boolean> asks) {
        int asking = 0;
        for (boolean ask : asks) {
            asking += ask ? 1 : 0;
        }
        List<LeasedTask> leased;
        try {
            leased = heldThenLeased(asking, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            leased = List.of();
        }
        if (leased.size() == asks.size()) {
            return leased; // a job for everyone (the usual case under a backlog): no copy
        }
        List<LeasedTask> each = new ArrayList<>(asks.size());
        int next = 0;
        for (boolean ask : asks) {
            each.add(ask && next < leased.size() ? leased.get(next++) : null);
        }
        return each;
    }

    /**
     * When the held jobs run low ({@link LeaseAhead#low}), tops them up from the refiller
     * thread, unless a refill is on its way: a lease call that asks for no job of its own (it
     * shares one with workers asking at the same time). Without it the held jobs ran out
     * together, every worker then asked at once, and the pool went round in one convoy: all
     * waiting for their final records' commit, then all for a lease, never both at once. A
     * refill overlaps the two.
     */
    private void refillIfLow() {
        if (!ahead.low() || !refilling.compareAndSet(false, true)) {
            return;
        }
        try {
            refiller.execute(() -> {
                try {
                    if (!stopping) {
                        nextLeases.call(Boolean.FALSE);
                    }
                } catch (RuntimeException e) {
                    log.error("could not lease ahead from queues {}; the workers will lease themselves", order(), e);
                } finally {
                    refilling.set(false);
                }
            });
        } catch (RejectedExecutionException e) {
            refilling.set(false); // stopping
        }
    }

    /**
     * Gives back a job that no worker ran - leased ahead and not taken in time, held at stop,
     * or refused by the shutting-down worker pool: its task, if its lease started it, goes back
     * to initializing with the attempt count it had before (progress, step, start time and an
     * earlier attempt's error cleared), then the job is visible again at once. If the task
     * changed meanwhile (a cancel), only the job goes back; its next delivery finds the task as
     * it is.
     */
    private void giveBack(LeasedTask held) {
        try {
            TaskRecord started = held.started();
            if (started != null) {
                updater.apply(started, unstarted(started, clock.instant()));
            }
            queue.release(held.lease(), Duration.ZERO);
        } catch (RuntimeException e) {
            log.warn("could not give job {} back; its lease will lapse", held.lease().jobId(), e);
        }
    }

    /** {@code started} as it was before its lease started it, as far as the record tells. */
    static TaskRecord unstarted(TaskRecord started, Instant now) {
        return new TaskRecord(started.id(), started.kind(), started.owner(), started.projectName(), started.goal(),
                started.parameters(), started.analysisTypes(), TaskStatus.INITIALIZING, 0, null,
                started.attempt() - 1, started.maxAttempts(), started.results(), null, started.createdAt(), now,
                null, null, started.version() + 1);
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
