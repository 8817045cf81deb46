package dev.forge.bench;

import dev.forge.Forge;
import dev.forge.builds.BuildRequest;
import dev.forge.events.EventBus;
import dev.forge.events.TaskEvent;
import dev.forge.security.Principal;
import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** How the end-to-end drivers create their no-op builds: in batches, one by one, or one at a time for pickup. */
final class Creates {

    /** Tasks per createAll call in bulk mode, as the peer harnesses' bulk adds. */
    static final int BATCH = 1000;

    /**
     * {@code -Dforge.bench.warmup=N}: N jobs run through the engine before anything is measured,
     * so the figures are of JIT-compiled create, lease and job paths in every JVM (default 0: a
     * cold run, compilation included).
     */
    static final int WARMUP = Integer.getInteger("forge.bench.warmup", 0);

    /**
     * Idle-queue pickups measured per run ({@code -Dforge.bench.pickups}, default 1,000). A p99
     * of 200 is their third-largest value: on the PostgreSQL engine with two worker JVMs, where
     * about one pickup in a hundred meets a stall of the host, the same jar's p99 of 200 ranged
     * over 9.5-24.0 ms between runs, of 1,000 over 11.9-15.9 ms (docs/performance.md, "Leasing
     * four calls ahead, prompt notifications").
     */
    static final int PICKUPS = Integer.getInteger("forge.bench.pickups", 1_000);

    /** Pickups run first and not measured, by {@link #pickups(Forge, Principal, int)}. */
    static final int UNMEASURED_PICKUPS = 3;

    private Creates() {
    }

    /** Batches of {@value #BATCH} through {@code BuildService.createAll}, one after the other. */
    static void inBatches(Forge api, Principal caller, int n) {
        List<BuildRequest> batch = new ArrayList<>(BATCH);
        for (int created = 0; created < n; created += batch.size()) {
            batch.clear();
            for (int i = created; i < Math.min(n, created + BATCH); i++) {
                batch.add(new BuildRequest("noop", "throughput", Map.of()));
            }
            for (var outcome : api.builds().createAll(caller, batch)) {
                outcome.orElseThrow();
            }
        }
    }

    /** Runs {@link #WARMUP} jobs in batches and waits until they are all done. Not measured. */
    static void warmUp(Forge api, Principal caller, Completion completion) throws InterruptedException {
        if (WARMUP > 0) {
            timed(api, caller, WARMUP, true, completion);
        }
    }

    /** When a timed run's creates returned and its last job was done, from its start, in nanoseconds. */
    record Timing(long createNanos, long totalNanos) {
    }

    /**
     * Creates {@code n} builds - in batches ({@link #inBatches}) or one by one from 8 threads
     * ({@link #oneByOne}) - and waits until {@code completion} says they are all done.
     */
    static Timing timed(Forge api, Principal caller, int n, boolean bulk, Completion completion)
            throws InterruptedException {
        completion.reset();
        long t0 = System.nanoTime();
        if (bulk) {
            inBatches(api, caller, n);
        } else {
            oneByOne(api, caller, n);
        }
        long created = System.nanoTime() - t0;
        completion.awaitDone(n);
        return new Timing(created, System.nanoTime() - t0);
    }

    /**
     * A measured phase: its timing, how long the JIT compiled inside it (all JVMs; the driver's
     * share), and the CPU per job of the driver, the worker JVMs and the server (see
     * {@link ProcessCpu#perJobSince}).
     */
    record Measured(Timing timing, long jitMillis, long driverJitMillis, String cpuPerJob) {
    }

    /**
     * {@link #timed}, with the JIT time and the CPU per job of the driver, {@code workers} and
     * the server process named {@code server} around it.
     */
    static Measured measured(Forge api, Principal caller, int n, boolean bulk, Completion completion,
            List<Process> workers, String server) throws InterruptedException {
        long jitBefore = WorkerJvm.jitMillis(workers);
        long driverJitBefore = WorkerJvm.ownJitMillis();
        ProcessCpu cpuBefore = ProcessCpu.sample(workers, server);
        Timing timing = timed(api, caller, n, bulk, completion);
        ProcessCpu cpuAfter = ProcessCpu.sample(workers, server);
        return new Measured(timing, WorkerJvm.jitMillis(workers) - jitBefore,
                WorkerJvm.ownJitMillis() - driverJitBefore, cpuAfter.perJobSince(cpuBefore, n, server));
    }

    /**
     * Idle-queue pickup with a subscription of its own to every task's events, made for it and
     * closed after it: {@code count} builds one at a time, each from the create call to its
     * running event, after {@value #UNMEASURED_PICKUPS} that are not measured (the subscription
     * was just made); the latencies in nanoseconds, sorted. It creates {@code count +}
     * {@value #UNMEASURED_PICKUPS} builds.
     */
    static List<Long> pickups(Forge api, Principal caller, int count) throws InterruptedException {
        Map<TaskId, Long> runningAt = new ConcurrentHashMap<>();
        BlockingQueue<TaskId> running = new LinkedBlockingQueue<>();
        try (EventBus.Subscription runningEvents = api.events().subscribe(event -> {
            if (event.type() == TaskEvent.Type.STATUS && event.status().wireName().equals("running")) {
                runningAt.putIfAbsent(event.taskId(), System.nanoTime());
                running.offer(event.taskId());
            }
        })) {
            pickups(api, caller, runningAt, running, UNMEASURED_PICKUPS);
            return pickups(api, caller, runningAt, running, count);
        }
    }

    /**
     * Idle-queue pickup: {@code count} builds one at a time, each from the create call to its
     * running event (which the caller's subscriber puts in {@code runningAt} and {@code running});
     * the latencies in nanoseconds, sorted.
     */
    private static List<Long> pickups(Forge api, Principal caller, Map<TaskId, Long> runningAt,
            BlockingQueue<TaskId> running, int count) throws InterruptedException {
        List<Long> pickups = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long t = System.nanoTime();
            TaskRecord r = api.builds().create(caller, new BuildRequest("noop", "latency", Map.of())).orElseThrow();
            long deadline = t + TimeUnit.SECONDS.toNanos(5);
            while (!runningAt.containsKey(r.id()) && System.nanoTime() < deadline) {
                running.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            }
            Long at = runningAt.get(r.id());
            if (at != null) {
                pickups.add(at - t);
            }
        }
        pickups.sort(Long::compare);
        return pickups;
    }

    /** One {@code BuildService.create} per task, from 8 threads (as an API node's requests). */
    static void oneByOne(Forge api, Principal caller, int n) throws InterruptedException {
        ExecutorService creators = Executors.newFixedThreadPool(8);
        AtomicInteger next = new AtomicInteger();
        for (int c = 0; c < 8; c++) {
            creators.execute(() -> {
                while (next.getAndIncrement() < n) {
                    api.builds().create(caller, new BuildRequest("noop", "throughput", Map.of())).orElseThrow();
                }
            });
        }
        creators.shutdown();
        creators.awaitTermination(10, TimeUnit.MINUTES);
    }
}
