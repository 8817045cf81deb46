package dev.forge.bench;

import dev.forge.Forge;
import dev.forge.builds.BuildRequest;
import dev.forge.exec.AdmissionConfig;
import dev.forge.exec.ExecutorConfig;
import dev.forge.exec.RunOutcome;
import dev.forge.project.InMemoryProjectCatalog;
import dev.forge.project.ProjectSpec;
import dev.forge.security.Principal;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * No-op builds end to end through the in-memory engine, the way JobRunr's peer harness measures
 * its own jobs: N builds are created as fast as one thread can, the runner does nothing but count,
 * and the clock stops when forge's completed-builds counter reaches N (bumped once each terminal
 * record is stored; polled every 0.5 ms - the JobRunr harness polls its storage every 50 ms). Everything else is real forge: validation, admission (unlimited here,
 * so 20,000 fit), store, fair queue, dispatcher, lease, state transitions, events.
 *
 * <p>Prints one line starting {@code FORGE RESULT} that {@code scripts/jobs.sh} parses. Run:
 * {@code java -cp forge-benchmarks/target/forge-benchmarks.jar dev.forge.bench.JobThroughput 20000}
 * (optional second argument: worker threads, default the number of processors, as forge's;
 * optional third: warm rounds, more batches of N on the same engine afterwards, each printed
 * with its CPU per build, which leaves out the first round's JIT compilation).
 */
public final class JobThroughput {

    private JobThroughput() {
    }

    /** Creates {@code args[0]} no-op builds (default 20,000) and prints jobs/s end to end. */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        int warmRounds = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        AtomicLong ran = new AtomicLong();
        Principal alice = Principal.user("alice");
        long t0 = System.nanoTime();
        try (Forge forge = Forge.builder()
                .projectCatalog(new InMemoryProjectCatalog(
                        List.of(ProjectSpec.builder("noop").localSource(Path.of(".")).build())))
                .buildRunner((project, context) -> {
                    ran.incrementAndGet();
                    return RunOutcome.success(Map.of());
                })
                .admission(AdmissionConfig.unlimited())
                .executorConfig(ExecutorConfig.custom().workers(workers).build())
                .build().start()) {
            CompletedCount completed = new CompletedCount(forge);
            long tInit = System.nanoTime();
            long cpuInit = processCpuNanos();
            long mainCpuInit = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            Map<Long, Long> allocInit = allocatedBytes();
            BuildRequest request = new BuildRequest("noop", "no-op", Map.of());
            for (int i = 0; i < n; i++) {
                forge.builds().create(alice, request).orElseThrow();
            }
            long tCreated = System.nanoTime();
            long mainCpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - mainCpuInit;
            boolean done = completed.await(n, Duration.ofSeconds(120));
            long tDone = System.nanoTime();
            long cpuDone = processCpuNanos();
            Map<Long, Long> allocDone = allocatedBytes();
            long finished = completed.get();
            if (!done) {
                System.out.printf("FORGE TIMEOUT completed=%d/%d ran=%d%n", finished, n, ran.get());
                System.exit(1);
            }
            double total = (tDone - tInit) / 1e9;
            System.out.printf("FORGE init=%.2fs workers=%d creates %d took %.2fs (%.0f creates/s)%n",
                    (tInit - t0) / 1e9, workers, n, (tCreated - tInit) / 1e9, n / ((tCreated - tInit) / 1e9));
            System.out.printf("FORGE RESULT completed=%d/%d ran=%d in %.2fs (from first create) => %.0f jobs/s%n",
                    finished, n, ran.get(), total, finished / total);
            // CPU of the whole process over the same span: on a shared, loaded machine the rate
            // swings with the load, while the CPU spent per build moves much less.
            if (cpuInit >= 0 && cpuDone >= 0) {
                System.out.printf("FORGE CPU %.2fs for %d builds => %.1f us of CPU per build%n",
                        (cpuDone - cpuInit) / 1e9, finished, (cpuDone - cpuInit) / 1e3 / finished);
                System.out.printf("FORGE CPU of the creating thread %.1f us per create%n", mainCpu / 1e3 / n);
            }
            // Unlike time, allocation hardly moves with the machine's load: a steadier measure
            // of what a change removed. Threads started during the run count from zero.
            if (!allocDone.isEmpty()) {
                long bytes = 0;
                for (Map.Entry<Long, Long> thread : allocDone.entrySet()) {
                    bytes += thread.getValue() - allocInit.getOrDefault(thread.getKey(), 0L);
                }
                System.out.printf("FORGE ALLOC %.0f bytes per build (all threads)%n", (double) bytes / finished);
            }
            for (int round = 1; round <= warmRounds; round++) {
                warmRound(forge, completed, alice, request, n, round);
            }
        }
    }

    /**
     * Another {@code n} builds on the same, now compiled, engine: its CPU per build leaves out
     * the JIT compilation that the first round pays, and the lowest of a few rounds is what a
     * change is best compared by on a machine other processes load.
     */
    private static void warmRound(Forge forge, CompletedCount completed, Principal caller, BuildRequest request,
            int n, int round) {
        long before = completed.get();
        long cpu = processCpuNanos();
        long t = System.nanoTime();
        for (int i = 0; i < n; i++) {
            forge.builds().create(caller, request).orElseThrow();
        }
        if (!completed.await(before + n, Duration.ofSeconds(120))) {
            System.out.printf("FORGE TIMEOUT in warm round %d%n", round);
            System.exit(1);
        }
        double seconds = (System.nanoTime() - t) / 1e9;
        System.out.printf("FORGE WARM round %d: %.0f jobs/s, %.1f us of CPU per build%n",
                round, n / seconds, (processCpuNanos() - cpu) / 1e3 / n);
    }

    /** Bytes allocated so far by each live thread, by thread id; empty where the JVM cannot tell. */
    private static Map<Long, Long> allocatedBytes() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)) {
            return Map.of();
        }
        long[] ids = threads.getAllThreadIds();
        long[] bytes = threads.getThreadAllocatedBytes(ids);
        Map<Long, Long> byThread = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0) {
                byThread.put(ids[i], bytes[i]);
            }
        }
        return byThread;
    }

    /** This process's CPU time (all threads, user and system), or -1 where the JVM cannot tell. */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
