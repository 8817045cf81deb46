package dev.forge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.exec.CancellationSource;
import dev.forge.process.ProcessSupervisor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the sandbox adds to one step: a trivial step ({@code true}) run by the supervisor with and
 * without the sandbox's wrapping, interleaved, median of 30 after 3 warm-up rounds. Prints the
 * medians (see target/surefire-reports/*-output.txt); docs/builds.md holds the measured numbers.
 * Each step starts after a pause, as the steps of a real build start seconds apart: back to back,
 * kernel work that a step leaves pending (a grace period that a cgroup join waits for) would be
 * shared with the next step and the cost per step understated.
 */
class SandboxOverheadTest {

    private static final int ROUNDS = 30;
    private static final int WARMUP = 3;
    /** Between steps: longer than an RCU grace period on a quiet machine, short for the test. */
    private static final long PAUSE_MILLIS = 30;

    @TempDir
    Path temp;

    @Test
    void trivialStep_costsLittleMoreInTheSandbox() throws Exception {
        SandboxedEngine.requireBubblewrap();
        // open like the default workspace root, so no staging mount is needed (the usual case)
        Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path workspace = Files.createDirectories(temp.resolve("ws"));
        ProcessSupervisor supervisor = new ProcessSupervisor(Duration.ZERO, 1000);
        Map<String, String> env = Map.of("PATH", "/usr/bin:/bin");
        List<Long> confined = new ArrayList<>();
        List<Long> bare = new ArrayList<>();
        long[] cpuTicks = new long[2];
        try (Sandbox.Session session = SandboxedEngine.DETECTED.open(workspace, SandboxPolicy.defaults())) {
            for (int i = 0; i < WARMUP + ROUNDS; i++) {
                Thread.sleep(PAUSE_MILLIS);
                long ticks = childTicks();
                long start = System.nanoTime();
                ProcessSupervisor.Result inside = supervisor.run(session.command(List.of("true")), workspace, env,
                        new CancellationSource(), line -> { });
                long insideNanos = System.nanoTime() - start;
                long between = childTicks();
                Thread.sleep(PAUSE_MILLIS);
                start = System.nanoTime();
                ProcessSupervisor.Result outside = supervisor.run(List.of("true"), workspace, env,
                        new CancellationSource(), line -> { });
                long outsideNanos = System.nanoTime() - start;
                if (i >= WARMUP) {
                    cpuTicks[0] += between - ticks;
                    cpuTicks[1] += childTicks() - between;
                }
                assertThat(inside.exitCode()).isZero();
                assertThat(outside.exitCode()).isZero();
                if (i >= WARMUP) {
                    confined.add(insideNanos);
                    bare.add(outsideNanos);
                }
            }
        }
        long with = median(confined);
        long without = median(bare);
        System.out.printf("trivial step, median of %d: sandboxed (%s) %.2f ms, bare %.2f ms, overhead %.2f ms; "
                + "CPU time of the step's processes, mean: sandboxed %.2f ms, bare %.2f ms; load average %.1f%n",
                ROUNDS, SandboxedEngine.DETECTED.isolation().label(), with / 1e6,
                without / 1e6, (with - without) / 1e6, cpuTicks[0] * 10.0 / ROUNDS, cpuTicks[1] * 10.0 / ROUNDS,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        // the docs' bar (15 ms) is for a quiet machine; load inflates both sides alike, so this
        // relative bound only catches a fixed wait or poll per step, which would add hundreds of ms
        assertThat(Duration.ofNanos(with)).isLessThan(Duration.ofNanos(10 * without).plusMillis(200));
    }

    /** User + system CPU of this JVM's reaped children, in clock ticks (1/100 s on Linux). */
    private static long childTicks() throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
