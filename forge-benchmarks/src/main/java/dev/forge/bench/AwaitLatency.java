package dev.forge.bench;

import dev.forge.Forge;
import dev.forge.builds.BuildRequest;
import dev.forge.project.InMemoryProjectCatalog;
import dev.forge.project.ProjectSpec;
import dev.forge.security.Principal;
import dev.forge.task.TaskRecord;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * How soon a pending {@code completion} future is done once its task ends, in memory: each run
 * creates a build (no workers), starts awaiting it, then cancels it, and times the cancel, the
 * DONE event and the store re-read together. Values far below the 2-second re-read backstop show
 * that the event completes the futures. Run:
 * {@code java -cp forge-benchmarks/target/forge-benchmarks.jar dev.forge.bench.AwaitLatency 2000}
 */
public final class AwaitLatency {

    private AwaitLatency() {
    }

    /** Awaits {@code args[0]} builds (default 2000) and prints percentiles. */
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Principal alice = Principal.user("alice");
        try (Forge forge = Forge.builder().projectCatalog(new InMemoryProjectCatalog(
                List.of(ProjectSpec.builder("demo").localSource(Path.of(".")).build()))).build()) {
            long[] micros = new long[n];
            for (int i = 0; i < n; i++) {
                TaskRecord task = forge.builds().create(alice, new BuildRequest("demo", "await", Map.of()))
                        .orElseThrow();
                CompletableFuture<TaskRecord> done = forge.builds().completion(alice, task.id());
                long start = System.nanoTime();
                forge.builds().cancel(alice, task.id()).orElseThrow();
                done.join();
                micros[i] = (System.nanoTime() - start) / 1000;
            }
            Arrays.sort(micros);
            System.out.printf("n=%d cancel to completion done: p50=%d us p90=%d us p99=%d us max=%d us%n",
                    n, micros[n / 2], micros[n * 9 / 10], micros[n * 99 / 100], micros[n - 1]);
        }
    }
}
