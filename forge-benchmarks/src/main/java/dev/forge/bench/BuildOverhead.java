package dev.forge.bench;

import dev.forge.Forge;
import dev.forge.builds.BuildRequest;
import dev.forge.exec.ExecutorConfig;
import dev.forge.project.DirectoryProjectCatalog;
import dev.forge.security.Principal;
import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * What forge adds to a trivial build: a project whose two steps are {@code true} and
 * {@code true}, from {@code create} to {@code completed} through the whole engine, against
 * spawning the same two processes directly. Run:
 * {@code java -cp forge-benchmarks/target/forge-benchmarks.jar dev.forge.bench.BuildOverhead 30}
 */
public final class BuildOverhead {

    private BuildOverhead() {
    }

    /** Runs the comparison {@code args[0]} times (default 30) after 5 warm-ups. */
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Path projects = Files.createTempDirectory("forge-bench-projects");
        Path project = Files.createDirectories(projects.resolve("trivial"));
        Files.writeString(project.resolve("forge.json"),
                "{\"steps\": [{\"name\": \"build\", \"run\": [\"true\"]}, {\"name\": \"test\", \"run\": [\"true\"]}]}");
        Principal alice = Principal.user("alice");
        try (Forge forge = Forge.builder().projectCatalog(new DirectoryProjectCatalog(projects))
                .workspaceRoot(Files.createTempDirectory("forge-bench-ws"))
                .executorConfig(ExecutorConfig.custom().workers(1).build())
                .build().start()) {
            long[] engine = new long[runs];
            long[] raw = new long[runs];
            for (int i = -5; i < runs; i++) {
                long t0 = System.nanoTime();
                TaskId id = forge.builds().create(alice, new BuildRequest("trivial", "bench", Map.of()))
                        .orElseThrow().id();
                TaskRecord done = waitTerminal(forge, id);
                long t1 = System.nanoTime();
                if (done.status() != TaskStatus.COMPLETED) {
                    throw new IllegalStateException("build ended " + done.status() + ": " + done.error());
                }
                spawn("true");
                spawn("true");
                long t2 = System.nanoTime();
                if (i >= 0) {
                    engine[i] = t1 - t0;
                    raw[i] = t2 - t1;
                }
            }
            double engineMs = median(engine) / 1e6;
            double rawMs = median(raw) / 1e6;
            System.out.printf("runs=%d  create->completed median %.2f ms  raw 2 spawns median %.2f ms  overhead %.2f ms%n",
                    runs, engineMs, rawMs, engineMs - rawMs);
        }
    }

    private static TaskRecord waitTerminal(Forge forge, TaskId id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            TaskRecord record = forge.store().find(id).orElseThrow();
            if (record.isTerminal()) {
                return record;
            }
            Thread.onSpinWait();
        }
        throw new IllegalStateException("build did not finish in 30 s");
    }

    private static void spawn(String command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(command + " failed");
        }
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
