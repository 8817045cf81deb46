package dev.forge.builds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.exec.RunOutcome;
import dev.forge.project.ProjectSpec;
import dev.forge.sandbox.Enforcement;
import dev.forge.testing.RecordingTaskContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures what the runner adds to a build: a trivial two-step build ({@code true}, {@code true})
 * through {@link ProcessBuildRunner#run} against spawning the same two processes bare. Prints
 * the medians (see target/surefire-reports/*-output.txt).
 */
class ProcessBuildRunnerOverheadTest {

    private static final int ROUNDS = 20;
    private static final int WARMUP = 3;

    @TempDir
    Path temp;

    @Test
    void run_trivialTwoStepBuild_costsLittleMoreThanSpawningItsProcesses() throws Exception {
        ProjectSpec spec = ProjectSpec.builder("trivial")
                .localSource(Files.createDirectories(temp.resolve("source")))
                .step("one", "true").step("two", "true").build();
        // the runner's own bookkeeping; the sandbox's cost per step is SandboxOverheadTest's
        ProcessBuildRunner runner = new ProcessBuildRunner(BuildRunnerConfig.builder()
                .workspaceRoot(temp.resolve("workspaces")).enforcement(Enforcement.OFF).build());
        Path dir = Files.createDirectories(temp.resolve("raw"));

        List<Long> viaRunner = new ArrayList<>();
        List<Long> raw = new ArrayList<>();
        for (int i = 0; i < WARMUP + ROUNDS; i++) {
            // interleaved, so both see the same background load
            long start = System.nanoTime();
            RunOutcome outcome = runner.run(spec, RecordingTaskContext.forBuild("trivial", Map.of()));
            long runnerNanos = System.nanoTime() - start;
            assertThat(outcome.succeeded()).isTrue();

            start = System.nanoTime();
            spawn(dir);
            spawn(dir);
            long rawNanos = System.nanoTime() - start;
            if (i >= WARMUP) {
                viaRunner.add(runnerNanos);
                raw.add(rawNanos);
            }
        }

        Duration runnerMedian = Duration.ofNanos(median(viaRunner));
        Duration rawMedian = Duration.ofNanos(median(raw));
        System.out.printf("trivial 2-step build, median of %d: ProcessBuildRunner.run %.2f ms, "
                + "raw ProcessBuilder spawn of the same 2 processes %.2f ms, overhead %.2f ms%n",
                ROUNDS, runnerMedian.toNanos() / 1e6, rawMedian.toNanos() / 1e6,
                (runnerMedian.toNanos() - rawMedian.toNanos()) / 1e6);
        // a fixed poll or sleep per step (hundreds of ms) would break this; scheduling noise won't
        assertThat(runnerMedian.minus(rawMedian)).isLessThan(Duration.ofMillis(250));
        try (var left = Files.list(temp.resolve("workspaces"))) {
            assertThat(left.count()).isZero();
        }
    }

    private static void spawn(Path dir) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("true").directory(dir.toFile()).start();
        process.waitFor();
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
