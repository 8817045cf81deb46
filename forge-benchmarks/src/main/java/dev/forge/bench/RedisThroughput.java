package dev.forge.bench;

import dev.forge.Forge;
import dev.forge.exec.AdmissionConfig;
import dev.forge.exec.ExecutorConfig;
import dev.forge.exec.RunOutcome;
import dev.forge.project.InMemoryProjectCatalog;
import dev.forge.project.ProjectSpec;
import dev.forge.ratelimit.RateLimitConfig;
import dev.forge.ratelimit.RateLimitRule;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.redis.RedisBackend;
import dev.forge.redis.RedisSettings;
import dev.forge.security.Principal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * End-to-end no-op jobs through Redis: this process creates N build tasks (store write + enqueue,
 * as the API does) while K worker JVMs, each with W workers and a runner that does nothing, lease,
 * start, complete and ack them. Measures jobs/s from the first create to the last DONE event, and
 * create-to-pickup latency (create returned -> RUNNING event) on an idle queue. Not a test.
 *
 * <p>Creates go in batches of 1,000 through {@code BuildService.createAll} from one thread (mode
 * {@code bulk}, the default, as BullMQ's {@code addBulk}), or one by one through
 * {@code BuildService.create} from 8 threads (mode {@code single}, as an API node's requests).
 * The result line gives the create phase and the drain after it separately.
 * {@code -Dforge.bench.warmup=N} first runs N jobs through every JVM, unmeasured (see
 * {@link Creates#WARMUP}).
 *
 * <pre>java -cp forge-benchmarks.jar dev.forge.bench.RedisThroughput [N=20000] [K=1] [W=16] [redis URL] [bulk|single]</pre>
 */
public final class RedisThroughput {

    /** {@code -Dforge.bench.completion}: how this driver knows its builds are done (default queue; see {@link Completion}). */
    private static final boolean BY_EVENTS = Completion.byEvents("queue");


    private RedisThroughput() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("worker")) {
            worker(args[1], args[2], Integer.parseInt(args[3]));
            return;
        }
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int processes = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int workers = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        String url = args.length > 3 ? args[3] : "redis://127.0.0.1:6379/0";
        boolean bulk = args.length <= 4 || !args[4].equals("single");
        // as long as the default "forge:" (every key's bytes cost Redis's Lua), and unique per run
        String prefix = "fb" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000)) + ":";
        List<Process> started = new ArrayList<>();
        try (RedisBackend redis = RedisBackend.connect(settings(url, prefix));
                Forge api = (bulk ? embedded(redis, 1) : forge(redis, 1)).build()) {
            for (int i = 0; i < processes; i++) {
                started.add(startWorker(url, prefix, workers));
            }
            Principal alice = Principal.user("alice");
            try (Completion completion = Completion.chosen(api, BY_EVENTS)) {
                Creates.warmUp(api, alice, completion);
                // idle-queue pickup latency: one task at a time, from the create call to its
                // running event (with a subscription of its own)
                completion.reset();
                List<Long> pickups = Creates.pickups(api, alice, Creates.PICKUPS);
                completion.awaitDone(Creates.PICKUPS + Creates.UNMEASURED_PICKUPS);
                // throughput: N creates - in batches of BATCH from one thread (as BullMQ's addBulk),
                // or one by one from 8 threads - then wait until they are all done
                Creates.Measured measured = Creates.measured(api, alice, n, bulk, completion, started, "redis-server");
                Creates.Timing timing = measured.timing();
                double seconds = timing.totalNanos() / 1e9;
                System.out.printf("FORGE RESULT n=%d warmup=%d workerProcesses=%d workersEach=%d creates=%s completion=%s: %d done in %.2fs "
                        + "=> %.0f jobs/s (create phase %.2fs, then drain %.2fs; JIT compiling meanwhile: %d ms, of which the driver %d ms)%n",
                        n, Creates.WARMUP, processes, workers, bulk ? "bulk" + Creates.BATCH : "single",
                        BY_EVENTS ? "events" : "queue", n, seconds,
                        n / seconds, timing.createNanos() / 1e9, (timing.totalNanos() - timing.createNanos()) / 1e9,
                        measured.jitMillis(), measured.driverJitMillis());
                System.out.println("FORGE " + measured.cpuPerJob());
                System.out.printf("FORGE PICKUP idle queue (create call -> running event), %d tasks: p50 %.1f ms, "
                        + "p99 %.1f ms%n", pickups.size(), pickups.get(pickups.size() / 2) / 1e6,
                        pickups.get((int) (pickups.size() * 0.99)) / 1e6);
            }
        } finally {
            started.forEach(Process::destroyForcibly);
            try (RedisBackend cleanup = RedisBackend.connect(settings(url, prefix))) {
                // the keys are left to the bench prefix's owner: remove them with
                // redis-cli --scan --pattern 'fb*:*' | xargs redis-cli del
                System.out.println("keys under " + prefix + " can be removed with: redis-cli --scan --pattern '"
                        + prefix + "*' | xargs -r redis-cli del");
            }
        }
    }

    private static void worker(String url, String prefix, int workers) throws Exception {
        RedisBackend redis = RedisBackend.connect(settings(url, prefix));
        Forge forge = forge(redis, workers).build().start();
        WorkerJvm.reportJitTime();
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
        forge.close();
    }

    private static RedisSettings settings(String url, String prefix) {
        return RedisSettings.custom().uri(url).keyPrefix(prefix).poolSize(64).build();
    }

    private static Forge.Builder forge(RedisBackend redis, int workers) {
        // creations are rate-limited per user (through Redis, as on an API node): lift the limit
        RateLimitConfig unlimited = RateLimitConfig.custom()
                .rule(RateLimiter.BUILD_CREATE, new RateLimitRule(1_000_000, Duration.ofSeconds(1))).build();
        return noopBuilds(redis.configure(Forge.builder()).rateLimiter(redis.rateLimiter(unlimited)), workers);
    }

    /**
     * Every port on Redis but no rate limiter: an application submitting from its own code is not
     * limited by default (and a limiter costs one round trip per task of a batch).
     */
    private static Forge.Builder embedded(RedisBackend redis, int workers) {
        return noopBuilds(Forge.builder().taskStore(redis.taskStore()).jobQueue(redis.jobQueue())
                .eventBus(redis.eventBus()).clusterLock(redis.clusterLock()), workers);
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

    private static Process startWorker(String url, String prefix, int workers) throws Exception {
        return WorkerJvm.start(List.of(), RedisThroughput.class, "worker", url, prefix, Integer.toString(workers));
    }
}
