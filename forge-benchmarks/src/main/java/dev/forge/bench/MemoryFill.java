package dev.forge.bench;

import dev.forge.Forge;
import dev.forge.builds.BuildRequest;
import dev.forge.exec.AdmissionConfig;
import dev.forge.exec.RunOutcome;
import dev.forge.project.InMemoryProjectCatalog;
import dev.forge.project.ProjectSpec;
import dev.forge.security.Principal;
import dev.forge.task.TaskId;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import javax.management.ObjectName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What 100,000 stored terminal tasks cost an embedding JVM with everything in memory: the heap
 * after a full GC and the process's resident set, once with forge started and empty and once
 * with the tasks stored (no-op builds that ran to {@code completed} through the engine, no log
 * lines). Heap is what forge holds; RSS is what the operator pays, and depends on the JVM's heap
 * sizing flags, so run it with the flags the server is run with. Run:
 * {@code java -cp forge-benchmarks/target/forge-benchmarks.jar dev.forge.bench.MemoryFill 100000}
 * ({@code -Dhistogram=true} also prints the top of the live-object class histogram).
 */
public final class MemoryFill {

    private MemoryFill() {
    }

    /** Fills {@code args[0]} tasks (default 100,000) and prints heap and RSS before and after. */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Principal alice = Principal.user("alice");
        try (Forge forge = Forge.builder()
                .projectCatalog(new InMemoryProjectCatalog(
                        List.of(ProjectSpec.builder("noop").localSource(Path.of(".")).build())))
                .buildRunner((project, context) -> RunOutcome.success(Map.of("exit_code", 0)))
                .admission(AdmissionConfig.unlimited())
                .build().start()) {
            BuildRequest request = new BuildRequest("noop", "Build and test it", Map.of());
            TaskId first = forge.builds().create(alice, request).orElseThrow().id();
            forge.builds().await(alice, first, Duration.ofSeconds(30)).orElseThrow();
            long[] empty = measure();
            CompletedCount done = new CompletedCount(forge);
            for (int i = 0; i < n; i++) {
                forge.builds().create(alice, request).orElseThrow();
            }
            if (!done.await(n + 1, Duration.ofSeconds(300))) {
                throw new IllegalStateException("only " + done.get() + " of " + (n + 1) + " finished in 300 s");
            }
            long[] full = measure();
            System.out.printf("MEMORY jvm flags %s%n", ManagementFactory.getRuntimeMXBean().getInputArguments());
            System.out.printf("MEMORY started, 1 task:   heap after full GC %.1f MB, RSS %.1f MB%n",
                    empty[0] / 1e6, empty[1] / 1e6);
            System.out.printf("MEMORY %,d terminal tasks: heap after full GC %.1f MB, RSS %.1f MB (%.0f bytes of heap per task)%n",
                    n + 1, full[0] / 1e6, full[1] / 1e6, (full[0] - empty[0]) / (double) n);
            if (Boolean.getBoolean("histogram")) {
                printHistogram(25);
            }
        }
    }

    /** The top of a live-object class histogram ({@code jcmd GC.class_histogram}), to see who holds the heap. */
    private static void printHistogram(int lines) throws Exception {
        Object text = ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        text.toString().lines().limit(lines + 2L).forEach(System.out::println);
    }

    /**
     * Heap used after full GCs, and the settled VmRSS from /proc/self/status, in bytes. G1 gives
     * shrunk heap regions back on its service thread after the collection, and the native-heap
     * trim runs once a second: RSS is read until it stops falling (two readings 500 ms apart
     * within 1 MB, at most 5 s), the steady state an operator sees, not the moment after the GC.
     */
    private static long[] measure() throws IOException, InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc(); // a full collection with G1 unless -XX:+ExplicitGCInvokesConcurrent
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long rss = rss();
        long atGc = rss;
        for (int i = 0; i < 10; i++) {
            Thread.sleep(500);
            long now = rss();
            boolean settled = Math.abs(rss - now) < 1_000_000;
            rss = now;
            if (settled) {
                break;
            }
        }
        System.out.printf("MEMORY RSS right after the full GC %.1f MB, settled %.1f MB%n", atGc / 1e6, rss / 1e6);
        return new long[] {heap, rss};
    }

    private static long rss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
