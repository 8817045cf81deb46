package dev.forge.bench;

import dev.forge.Forge;
import dev.forge.builds.BuildRequest;
import dev.forge.builds.BuildRunnerConfig;
import dev.forge.builds.ProcessBuildRunner;
import dev.forge.events.EventBus;
import dev.forge.events.TaskEvent;
import dev.forge.exec.ExecutorConfig;
import dev.forge.process.DefaultWorkspaces;
import dev.forge.project.DirectoryProjectCatalog;
import dev.forge.sandbox.Enforcement;
import dev.forge.sandbox.Sandbox;
import dev.forge.sandbox.SandboxPolicy;
import dev.forge.security.Principal;
import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What forge adds to a trivial build: a project whose two steps are {@code true} and
 * {@code true}, from {@code create} to {@code completed} through the whole engine, against
 * spawning the same two processes directly, with the sandbox on (the detected one, as by
 * default) and off ({@link Enforcement#OFF}), in the same run, interleaved:
 * <ul>
 * <li>{@code engine, sandbox on/off}: create to a completed record in the store (woken by the
 * task's DONE event);</li>
 * <li>{@code raw 2 spawns}: {@code true} twice with {@link ProcessBuilder};</li>
 * <li>{@code raw 2 spawns, sandboxed}: the same two processes wrapped in the sandbox's own
 * command for a step ({@link Sandbox.Session#command}), so the ratio compares like with like;</li>
 * <li>{@code sandbox session}: opening and closing one build's sandbox (hand-over of the
 * workspace to the build user, control groups), once per build.</li>
 * </ul>
 * Workspaces live under a folder open to other users ({@code 755}), like forge's default root;
 * with {@code staged} as the second argument the folder is {@code 700}, so every sandboxed step
 * also pays the staging mount (see docs/builds.md). Run:
 * {@code java -cp forge-benchmarks/target/forge-benchmarks.jar dev.forge.bench.BuildOverhead 30 [staged]}
 */
public final class BuildOverhead {

    private static final List<String> TRUE = List.of("true");

    private BuildOverhead() {
    }

    /** Runs the comparison {@code args[0]} times (default 30) after 5 warm-ups. */
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        boolean staged = args.length > 1 && args[1].equals("staged");
        Path projects = Files.createTempDirectory("forge-bench-projects");
        Path project = Files.createDirectories(projects.resolve("trivial"));
        Files.writeString(project.resolve("forge.json"),
                "{\"steps\": [{\"name\": \"build\", \"run\": [\"true\"]}, {\"name\": \"test\", \"run\": [\"true\"]}]}");
        Path root = Files.createTempDirectory("forge-bench-ws");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString(staged ? "rwx------" : "rwxr-xr-x"));
        Path raw = Files.createDirectories(root.resolve("raw"));
        Sandbox sandbox = Sandbox.detect();
        Principal alice = Principal.user("alice");
        try (Forge on = forge(projects, root.resolve("on"), Enforcement.BEST_EFFORT);
                Forge off = forge(projects, root.resolve("off"), Enforcement.OFF)) {
            long[] engineOn = new long[runs];
            long[] engineOff = new long[runs];
            long[] plain = new long[runs];
            long[] sandboxed = new long[runs];
            long[] session = new long[runs];
            for (int i = -5; i < runs; i++) {
                long onNanos = build(on, alice);
                long offNanos = build(off, alice);
                long t0 = System.nanoTime();
                spawn(TRUE, raw);
                spawn(TRUE, raw);
                long plainNanos = System.nanoTime() - t0;
                Path dir = Files.createDirectories(raw.resolve("ws-" + i));
                long sessionNanos;
                long sandboxedNanos;
                t0 = System.nanoTime();
                Sandbox.Session confined = sandbox.open(dir, SandboxPolicy.defaults());
                sessionNanos = System.nanoTime() - t0;
                try {
                    t0 = System.nanoTime();
                    spawn(confined.command(TRUE), dir);
                    spawn(confined.command(TRUE), dir);
                    sandboxedNanos = System.nanoTime() - t0;
                } finally {
                    t0 = System.nanoTime();
                    confined.close();
                    sessionNanos += System.nanoTime() - t0;
                }
                Files.delete(dir); // true writes nothing
                if (i >= 0) {
                    engineOn[i] = onNanos;
                    engineOff[i] = offNanos;
                    plain[i] = plainNanos;
                    sandboxed[i] = sandboxedNanos;
                    session[i] = sessionNanos;
                }
            }
            System.out.printf("runs=%d  sandbox: %s%s%n", runs, sandbox.isolation().label(),
                    staged ? " (workspace root 700: staged)" : "");
            System.out.printf("sandbox off: create->completed median %.2f ms  raw 2 spawns median %.2f ms"
                    + "  overhead %.2f ms  ratio %.2f%n", ms(engineOff), ms(plain), ms(engineOff) - ms(plain),
                    ms(engineOff) / ms(plain));
            System.out.printf("sandbox on:  create->completed median %.2f ms  raw 2 spawns sandboxed median %.2f ms"
                    + "  overhead %.2f ms  ratio %.2f%n", ms(engineOn), ms(sandboxed), ms(engineOn) - ms(sandboxed),
                    ms(engineOn) / ms(sandboxed));
            System.out.printf("sandbox cost: per step %.2f ms (sandboxed minus plain spawn)  per build %.2f ms"
                    + " (session open + close)%n", (ms(sandboxed) - ms(plain)) / 2, ms(session));
        }
    }

    /** A node with one worker whose builds run with {@code enforcement}, otherwise as by default. */
    private static Forge forge(Path projects, Path workspaceRoot, Enforcement enforcement) {
        BuildRunnerConfig config = BuildRunnerConfig.builder().workspaceRoot(workspaceRoot)
                .enforcement(enforcement).build();
        return Forge.builder().projectCatalog(new DirectoryProjectCatalog(projects))
                .workspaceRoot(workspaceRoot)
                .buildRunner(new ProcessBuildRunner(config, DefaultWorkspaces.builder(workspaceRoot)
                        .keepBuildWorkspaces(DefaultWorkspaces.DEFAULT_KEEP_BUILDS_FOR).build()))
                .executorConfig(ExecutorConfig.custom().workers(1).build())
                .build().start();
    }

    /** Nanoseconds from create to a completed record. */
    private static long build(Forge forge, Principal owner) throws InterruptedException {
        CountDownLatch finished = new CountDownLatch(1);
        long t0 = System.nanoTime();
        TaskId id = forge.builds().create(owner, new BuildRequest("trivial", "bench", Map.of())).orElseThrow().id();
        TaskRecord done;
        try (EventBus.Subscription subscription = forge.events().subscribe(id, event -> {
            if (event.type() == TaskEvent.Type.DONE) {
                finished.countDown();
            }
        })) {
            done = waitTerminal(forge, id, finished);
        }
        long nanos = System.nanoTime() - t0;
        if (done.status() != TaskStatus.COMPLETED) {
            throw new IllegalStateException("build ended " + done.status() + ": " + done.error());
        }
        return nanos;
    }

    /**
     * Waits for the task's DONE event, then reads the record: the waiting thread sleeps instead of
     * spinning, so it takes no CPU from the worker on a small machine.
     */
    private static TaskRecord waitTerminal(Forge forge, TaskId id, CountDownLatch done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            TaskRecord record = forge.store().find(id).orElseThrow();
            if (record.isTerminal()) {
                return record;
            }
            done.await(10, TimeUnit.MILLISECONDS); // the time-out only guards against a lost event
        }
        throw new IllegalStateException("build did not finish in 30 s");
    }

    private static void spawn(List<String> command, Path dir) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(command + " failed");
        }
    }

    private static double ms(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return (n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0) / 1e6;
    }
}
