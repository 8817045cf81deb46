package dev.forge.bench;

import dev.forge.exec.ExecutorConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A benchmark's worker JVM: the same class path, a driver's {@code main}, up when it prints
 * "ready". A worker that calls {@link #reportJitTime} tells its driver how long its JIT has
 * compiled so far, so that the driver can say how much compiling ran inside its measured phase:
 * on two cores, a C2 compiler busy for seconds takes them from Redis and the workers.
 */
final class WorkerJvm {

    /** Each worker's compile time as it last reported it, in ms. */
    private static final Map<Process, AtomicLong> JIT_MILLIS = new ConcurrentHashMap<>();
    private static final String JIT_LINE = "jit-ms ";

    /**
     * {@code -Dforge.bench.leaseAheadMs}: the worker JVMs' {@link ExecutorConfig#leaseAheadWait}
     * (default: its default; 0 leases nothing ahead), for A/B runs of one build; {@link #start}
     * hands it on.
     */
    static final Duration LEASE_AHEAD_WAIT = Duration.ofMillis(Long.getLong("forge.bench.leaseAheadMs",
            ExecutorConfig.ofDefaults().leaseAheadWait().toMillis()));

    private WorkerJvm() {
    }

    /**
     * Starts {@code java <jvmOptions> -cp <this class path> <main> <args>}, waits until the
     * child prints the line {@code ready}, and keeps its output drained from then on. Options in
     * the environment variable {@code FORGE_BENCH_WORKER_JVM_OPTS} (split at spaces) come first:
     * to profile the workers without a rebuild, e.g. {@code -XX:StartFlightRecording=settings=profile}.
     * The drivers kill their workers with SIGKILL, which writes no recording: dump it while the
     * worker still runs ({@code jcmd <pid> JFR.dump filename=/tmp/worker.jfr}).
     */
    static Process start(List<String> jvmOptions, Class<?> main, String... args) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String extra = System.getenv().getOrDefault("FORGE_BENCH_WORKER_JVM_OPTS", "").strip();
        if (!extra.isEmpty()) {
            argv.addAll(List.of(extra.split("\\s+")));
        }
        argv.add("-Dforge.bench.leaseAheadMs=" + LEASE_AHEAD_WAIT.toMillis());
        argv.addAll(jvmOptions);
        argv.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String line;
        while ((line = out.readLine()) != null && !line.equals("ready")) {
            // skip start-up output
        }
        AtomicLong jit = new AtomicLong(-1);
        JIT_MILLIS.put(p, jit);
        Thread drain = new Thread(() -> {
            try {
                String next;
                while ((next = out.readLine()) != null) {
                    if (next.startsWith(JIT_LINE)) {
                        jit.set(Long.parseLong(next.substring(JIT_LINE.length()).strip()));
                    }
                }
            } catch (IOException e) {
                // the worker was stopped
            }
        });
        drain.setDaemon(true);
        drain.start();
        return p;
    }

    /**
     * In a worker JVM, before it prints "ready": prints its total compile time every 100 ms for
     * the driver ({@link #jitMillis}).
     */
    static void reportJitTime() {
        Thread report = new Thread(() -> {
            while (true) {
                System.out.println(JIT_LINE + ownJitMillis());
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "jit-report");
        report.setDaemon(true);
        report.start();
    }

    /** This JVM's total compile time so far, in ms. */
    static long ownJitMillis() {
        return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    }

    /**
     * This JVM's compile time plus what each of {@code workers} last reported (a worker that
     * does not report counts 0), in ms: take it before and after a measured phase.
     */
    static long jitMillis(List<Process> workers) {
        long total = ownJitMillis();
        for (Process worker : workers) {
            AtomicLong reported = JIT_MILLIS.get(worker);
            total += reported == null ? 0 : Math.max(0, reported.get());
        }
        return total;
    }
}
