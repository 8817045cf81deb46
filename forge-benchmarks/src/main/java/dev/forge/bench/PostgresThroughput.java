package dev.forge.bench;

import dev.forge.Forge;
import dev.forge.exec.AdmissionConfig;
import dev.forge.exec.ExecutorConfig;
import dev.forge.exec.RunOutcome;
import dev.forge.postgres.PostgresBackend;
import dev.forge.project.InMemoryProjectCatalog;
import dev.forge.project.ProjectSpec;
import dev.forge.ratelimit.RateLimitConfig;
import dev.forge.ratelimit.RateLimitRule;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.security.Principal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The whole engine on PostgreSQL with no-op builds: task store, job queue, event bus and rate
 * limiter all PostgreSQL's. This process creates N build tasks (store write + enqueue, one
 * create call each from 8 threads, as the API does) while K worker JVMs, each a Forge with W
 * workers and a runner that does nothing, lease, start, complete and ack them. Measures jobs/s
 * from the first create to the last DONE event heard here, then create-to-pickup latency
 * (create returned -> RUNNING event) on an idle queue. Not a test. {@code -Dforge.bench.warmup=N} first
 * runs N jobs through every JVM, unmeasured (see {@link Creates#WARMUP}).
 *
 * <pre>java -cp forge-benchmarks.jar dev.forge.bench.PostgresThroughput [N=5000] [W=20] [K...=1 2]</pre>
 *
 * Uses schema {@code forge_bench_engine} of {@code jdbc:postgresql://127.0.0.1:5432/test} as
 * {@code postgres} (dropped before each run).
 */
public final class PostgresThroughput {

    /** {@code -Dforge.bench.completion}: how this driver knows its builds are done (default events; see {@link Completion}). */
    private static final boolean BY_EVENTS = Completion.byEvents("events");

    /** {@code -Dforge.bench.asyncLease=true}: leases commit without waiting for the WAL flush. */
    private static final boolean ASYNC_LEASE = Boolean.getBoolean("forge.bench.asyncLease");
    /**
     * {@code -Dforge.bench.creates=single}: one create per task from 8 threads, through the
     * PostgreSQL rate limiter, as an API node's requests; by default batches of 1,000 through
     * {@code createAll} with no limiter, as an application submitting from its own code.
     */
    private static final boolean BULK = !"single".equals(System.getProperty("forge.bench.creates"));
    /** {@code -Dforge.bench.pgUrl}: another server, e.g. a private one with pg_stat_statements loaded. */
    private static final String URL = System.getProperty("forge.bench.pgUrl", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String SCHEMA = "forge_bench_engine";

    private PostgresThroughput() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("worker")) {
            worker(Integer.parseInt(args[1]));
            return;
        }
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        List<Integer> processCounts = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            processCounts.add(Integer.parseInt(args[i]));
        }
        for (int processes : processCounts.isEmpty() ? List.of(1, 2) : processCounts) {
            run(n, workers, processes);
        }
        System.exit(0);
    }

    private static void run(int n, int workers, int processes) throws Exception {
        dropSchema();
        List<Process> started = new ArrayList<>();
        try (PostgresBackend postgres = backend(10); Forge api = (BULK ? embedded(postgres) : forge(postgres, 1)).build()) {
            for (int i = 0; i < processes; i++) {
                started.add(startWorker(workers));
            }
            Principal alice = Principal.user("alice");
            try (Completion completion = Completion.chosen(api, BY_EVENTS)) {
                Creates.warmUp(api, alice, completion);
                Creates.Measured measured = Creates.measured(api, alice, n, BULK, completion, started, "postgres");
                Creates.Timing timing = measured.timing();
                double seconds = timing.totalNanos() / 1e9;
                System.out.printf("FORGE ENGINE RESULT n=%d warmup=%d workerProcesses=%d workersEach=%d%s completion=%s: %d done in %.2fs => %.0f jobs/s"
                        + " (%s creates took %.2fs; JIT compiling meanwhile: %d ms, of which the driver %d ms)%n", n, Creates.WARMUP, processes,
                        workers, ASYNC_LEASE ? " ASYNC LEASE COMMIT" : "", BY_EVENTS ? "events" : "queue", n, seconds, n / seconds,
                        BULK ? "bulk" + Creates.BATCH : "single", timing.createNanos() / 1e9, measured.jitMillis(),
                        measured.driverJitMillis());
                System.out.println("FORGE ENGINE " + measured.cpuPerJob());
            }
            // idle-queue pickup: one task at a time, from the create call to its running event
            // (with a subscription of its own)
            List<Long> pickups = Creates.pickups(api, alice, Creates.PICKUPS);
            System.out.printf("FORGE ENGINE PICKUP idle queue (create call -> running event), %d tasks: p50 %.1f ms,"
                    + " p99 %.1f ms%n", pickups.size(), pickups.get(pickups.size() / 2) / 1e6,
                    pickups.get((int) (pickups.size() * 0.99)) / 1e6);
        } finally {
            started.forEach(Process::destroyForcibly);
            for (Process p : started) {
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void dropSchema() throws Exception {
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        try (Connection c = DriverManager.getConnection(URL, properties); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        }
    }

    private static PostgresBackend backend(int poolSize) {
        // creations are rate-limited per user (through PostgreSQL, as on an API node): lift the limit
        RateLimitConfig unlimited = RateLimitConfig.custom()
                .rule(RateLimiter.BUILD_CREATE, new RateLimitRule(1_000_000, Duration.ofSeconds(1))).build();
        return PostgresBackend.builder().jdbcUrl(URL).username("postgres").poolSize(poolSize)
                .schema(SCHEMA).asyncLeaseCommit(ASYNC_LEASE).rateLimits(unlimited).build();
    }

    private static void worker(int workers) throws Exception {
        PostgresBackend postgres = backend(workers + 4);
        Forge forge = forge(postgres, workers).build().start();
        WorkerJvm.reportJitTime();
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
        forge.close();
    }

    private static Forge.Builder forge(PostgresBackend postgres, int workers) {
        return noopBuilds(postgres.configure(Forge.builder()), workers);
    }

    /** Every port on PostgreSQL but no rate limiter: the default for an application's own code. */
    private static Forge.Builder embedded(PostgresBackend postgres) {
        return noopBuilds(Forge.builder().taskStore(postgres.taskStore()).jobQueue(postgres.jobQueue())
                .eventBus(postgres.eventBus()).clusterLock(postgres.clusterLock()), 1);
    }

    private static Forge.Builder noopBuilds(Forge.Builder builder, int workers) {
        return builder
                // N tasks of one user wait at once: lift the admission limits too
                .admission(AdmissionConfig.unlimited())
                .projectCatalog(new InMemoryProjectCatalog(List.of(
                        ProjectSpec.builder("noop").localSource(Path.of(".")).build())))
                .buildRunner((project, context) -> RunOutcome.success(Map.of()))
                .executorConfig(ExecutorConfig.custom().workers(workers).leaseAheadWait(WorkerJvm.LEASE_AHEAD_WAIT).build());
    }

    private static Process startWorker(int workers) throws Exception {
        return WorkerJvm.start(List.of("-Dforge.bench.asyncLease=" + ASYNC_LEASE, "-Dforge.bench.pgUrl=" + URL), PostgresThroughput.class,
                "worker", Integer.toString(workers));
    }
}
