package dev.forge.bench;

import dev.forge.postgres.PostgresBackend;
import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * No-op jobs end to end through forge's PostgreSQL job queue, for comparison with db-scheduler on
 * the same database: N jobs are enqueued by 8 driver threads in multi-row INSERTs of 1,000 (the
 * counterpart of db-scheduler's batch insert), while worker processes - separate JVMs, each with
 * its own pool and LISTEN connection - run them the way forge's executor does: one thread leases
 * as many jobs as workers are free in one call, T worker threads ack them. The clock runs from
 * the first enqueue to the queue being empty, like the peer harness's (batch insert included).
 * With {@code -Dforge.bench.single=true} the shape is the old one instead: one INSERT per job, and
 * T threads each leasing one job at a time and acking it. Then the idle-queue pickup: a worker waits on an empty
 * queue on one backend, a job is enqueued through another, and the time to the lease returning
 * is measured, 200 times.
 *
 * <p>Run: {@code java -cp forge-benchmarks/target/forge-benchmarks.jar
 * dev.forge.bench.PostgresQueueThroughput 20000 20 1 2} (jobs, threads per worker, then the
 * worker-process counts to measure). Uses schema {@code forge_bench} of
 * {@code jdbc:postgresql://127.0.0.1:5432/test} as {@code postgres} (dropped first).
 */
public final class PostgresQueueThroughput {

    /** {@code -Dforge.bench.asyncLease=true}: leases commit without waiting for the WAL flush. */
    private static final boolean ASYNC_LEASE = Boolean.getBoolean("forge.bench.asyncLease");
    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final String SCHEMA = "forge_bench";
    private static final String QUEUE = "build";
    private static final boolean SINGLE = Boolean.getBoolean("forge.bench.single");
    private static final int BATCH = 1_000;

    private PostgresQueueThroughput() {
    }

    /** {@code jobs threads processes...}, or {@code worker threads} in a child JVM. */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("worker")) {
            worker(Integer.parseInt(args[1]));
            return;
        }
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        List<Integer> processCounts = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            processCounts.add(Integer.parseInt(args[i]));
        }
        if (processCounts.isEmpty()) {
            processCounts = List.of(1, 2);
        }
        for (int processes : processCounts) {
            throughput(jobs, threads, processes);
        }
        pickup(200);
        System.exit(0);
    }

    private static PostgresBackend backend(int poolSize) {
        return PostgresBackend.builder().jdbcUrl(URL).username("postgres").poolSize(poolSize)
                .schema(SCHEMA).asyncLeaseCommit(ASYNC_LEASE).build();
    }

    private static void dropSchema() throws Exception {
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        try (Connection c = DriverManager.getConnection(URL, properties); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        }
    }

    private static void throughput(int jobs, int threads, int processes) throws Exception {
        dropSchema();
        try (PostgresBackend driver = backend(10)) {
            JobQueue queue = driver.jobQueue();
            List<Process> workers = new ArrayList<>();
            for (int i = 0; i < processes; i++) {
                workers.add(startWorker(threads));
            }
            Thread.sleep(3_000); // the workers' JVMs start and begin waiting on the empty queue
            long start = System.nanoTime();
            ExecutorService enqueuers = Executors.newFixedThreadPool(8);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int from = t * jobs / 8;
                int to = (t + 1) * jobs / 8;
                done.add(enqueuers.submit(() -> enqueue(queue, from, to)));
            }
            for (Future<?> f : done) {
                f.get();
            }
            enqueuers.shutdown();
            long enqueued = System.nanoTime();
            // a count of the queue's rows is not free: every 100 ms keeps it off the CPUs the
            // workers need, at a resolution of 0.1 s on a run of several seconds
            while (queue.depth(QUEUE) > 0) {
                Thread.sleep(100);
            }
            long end = System.nanoTime();
            workers.forEach(Process::destroy);
            for (Process p : workers) {
                p.waitFor(10, TimeUnit.SECONDS);
            }
            double seconds = (end - start) / 1e9;
            System.out.printf("FORGE RESULT n=%d processes=%d threads/process=%d %s: %d acked in %.2fs => %.0f jobs/s"
                    + " (enqueue %.2fs)%n", jobs, processes, threads,
                    (SINGLE ? "single (one insert, lease, ack per job)" : "batched (insert 1000s, lease batches)")
                            + (ASYNC_LEASE ? " ASYNC LEASE COMMIT" : ""),
                    jobs, seconds, jobs / seconds,
                    (enqueued - start) / 1e9);
        }
    }

    /** Jobs {@code from} to {@code to}: one INSERT each, or multi-row INSERTs of {@link #BATCH}. */
    private static void enqueue(JobQueue queue, int from, int to) {
        if (SINGLE) {
            for (int i = from; i < to; i++) {
                queue.enqueue(QUEUE, "job-" + i);
            }
            return;
        }
        for (int chunk = from; chunk < to; chunk += BATCH) {
            List<String> payloads = new ArrayList<>(BATCH);
            for (int i = chunk; i < Math.min(to, chunk + BATCH); i++) {
                payloads.add("job-" + i);
            }
            queue.enqueueAll(QUEUE, payloads, Duration.ZERO, Collections.nCopies(payloads.size(), JobQueue.DEFAULT_GROUP));
        }
    }

    private static Process startWorker(int threads) throws IOException {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(java.toString(), "-Dforge.bench.single=" + SINGLE,
                "-Dforge.bench.asyncLease=" + ASYNC_LEASE, "-cp", System.getProperty("java.class.path"),
                PostgresQueueThroughput.class.getName(), "worker", Integer.toString(threads))
                .inheritIO().start();
    }

    /**
     * A worker process until killed: one leasing thread that takes as many jobs as workers are
     * free in one call (as forge's dispatcher does) and T threads that ack them.
     */
    private static void worker(int threads) throws Exception {
        PostgresBackend backend = backend(threads + 2);
        JobQueue queue = backend.jobQueue();
        if (SINGLE) {
            singleWorker(queue, threads);
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Semaphore free = new Semaphore(threads);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> pool.shutdownNow()));
        while (true) {
            free.acquire();
            int slots = 1 + free.drainPermits();
            List<Lease> leases = queue.lease(List.of(QUEUE), slots, Duration.ofSeconds(30), Duration.ofSeconds(1));
            free.release(slots - leases.size());
            for (Lease lease : leases) {
                pool.execute(() -> {
                    try {
                        queue.ack(lease);
                    } finally {
                        free.release();
                    }
                });
            }
        }
    }

    /** T threads, each leasing one job at a time and acking it. */
    private static void singleWorker(JobQueue queue, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            pool.submit(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    Optional<Lease> lease = queue.lease(QUEUE, Duration.ofSeconds(30), Duration.ofSeconds(1));
                    lease.ifPresent(queue::ack);
                }
                return null;
            });
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> pool.shutdownNow()));
        pool.awaitTermination(1, TimeUnit.DAYS);
    }

    /** Idle-queue pickup: enqueue on one backend, lease waiting on another (another node). */
    private static void pickup(int samples) throws Exception {
        dropSchema();
        try (PostgresBackend producer = backend(2); PostgresBackend consumer = backend(2)) {
            JobQueue in = producer.jobQueue();
            JobQueue out = consumer.jobQueue();
            long[] micros = new long[samples];
            ExecutorService waiter = Executors.newSingleThreadExecutor();
            for (int i = -20; i < samples; i++) {
                Future<Long> leased = waiter.submit(() -> {
                    Optional<Lease> lease = out.lease(QUEUE, Duration.ofSeconds(30), Duration.ofSeconds(10));
                    long at = System.nanoTime();
                    out.ack(lease.orElseThrow());
                    return at;
                });
                Thread.sleep(20); // the worker is idle, waiting on the empty queue
                long sent = System.nanoTime();
                in.enqueue(QUEUE, "ping");
                long latency = (leased.get() - sent) / 1_000;
                if (i >= 0) {
                    micros[i] = latency; // the first 20 warm up
                }
            }
            waiter.shutdown();
            Arrays.sort(micros);
            System.out.printf("FORGE PICKUP idle queue, %d samples: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    samples, micros[samples / 2] / 1000.0, micros[(int) (samples * 0.99) - 1] / 1000.0,
                    micros[samples - 1] / 1000.0);
        }
    }
}
