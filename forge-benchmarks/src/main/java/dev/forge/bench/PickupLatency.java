package dev.forge.bench;

import dev.forge.Forge;
import dev.forge.builds.BuildRequest;
import dev.forge.exec.RunOutcome;
import dev.forge.project.InMemoryProjectCatalog;
import dev.forge.project.ProjectSpec;
import dev.forge.security.Principal;
import dev.forge.task.TaskId;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * Create -> runner pickup on an idle queue, in memory: one build at a time, the clock starts just
 * before {@code create} and stops when the (no-op) runner is entered on a worker thread, which is
 * what a waiting user feels as queueing delay. Each build completes before the next is created,
 * so the queue is empty and the workers idle (parked in their lease wait) every time. Run:
 * {@code java -cp forge-benchmarks/target/forge-benchmarks.jar dev.forge.bench.PickupLatency 5000}
 */
public final class PickupLatency {

    private PickupLatency() {
    }

    /** Measures {@code args[0]} pickups (default 5,000) after 500 warm-ups; prints percentiles. */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int warmup = 500;
        SynchronousQueue<Long> entered = new SynchronousQueue<>();
        Principal alice = Principal.user("alice");
        try (Forge forge = Forge.builder()
                .projectCatalog(new InMemoryProjectCatalog(
                        List.of(ProjectSpec.builder("noop").localSource(Path.of(".")).build())))
                .buildRunner((project, context) -> {
                    long now = System.nanoTime();
                    try {
                        entered.put(now);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return RunOutcome.success(Map.of());
                })
                .build().start()) {
            BuildRequest request = new BuildRequest("noop", "pickup", Map.of());
            long[] nanos = new long[n];
            for (int i = -warmup; i < n; i++) {
                long start = System.nanoTime();
                TaskId id = forge.builds().create(alice, request).orElseThrow().id();
                Long at = entered.poll(30, TimeUnit.SECONDS);
                if (at == null) {
                    throw new IllegalStateException("build " + id + " not picked up in 30 s");
                }
                if (i >= 0) {
                    nanos[i] = at - start;
                }
                // let it finish, so the next create meets an idle queue and idle workers
                forge.builds().completion(alice, id).get(30, TimeUnit.SECONDS);
            }
            Arrays.sort(nanos);
            System.out.printf("PICKUP n=%d create->runner p50=%.3f ms p90=%.3f ms p99=%.3f ms p99.9=%.3f ms max=%.3f ms%n",
                    n, nanos[n / 2] / 1e6, nanos[n * 9 / 10] / 1e6, nanos[n * 99 / 100] / 1e6,
                    nanos[Math.min(n - 1, n * 999 / 1000)] / 1e6, nanos[n - 1] / 1e6);
        }
    }
}
