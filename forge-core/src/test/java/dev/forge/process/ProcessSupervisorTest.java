package dev.forge.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.InfrastructureException;
import dev.forge.exec.CancellationSource;
import dev.forge.exec.CancellationToken.Reason;
import dev.forge.project.Fixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessSupervisorTest {

    private static final Map<String, String> ENV = Map.of("PATH", System.getenv("PATH"));

    @TempDir
    Path dir;

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final CancellationSource token = new CancellationSource();

    @Test
    void run_readsStdoutAndStderrLineByLine_andReportsTheExitCode() throws IOException {
        ProcessSupervisor supervisor = new ProcessSupervisor(Duration.ofSeconds(1), 8192);

        ProcessSupervisor.Result result = supervisor.run(
                List.of("sh", "-c", "echo out-1; echo err-1 >&2; printf 'out-2'; exit 3"),
                dir, ENV, token, lines::add);

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stopped()).isFalse();
        assertThat(lines).containsExactlyInAnyOrder("out-1", "err-1", "out-2");
    }

    @Test
    void run_givesTheProcessExactlyTheEnvironmentAndAClosedStdin() throws IOException {
        ProcessSupervisor supervisor = new ProcessSupervisor(Duration.ofSeconds(1), 8192);

        // env prints its environment; cat would hang forever on an open stdin
        ProcessSupervisor.Result result = supervisor.run(List.of("sh", "-c", "cat; env"), dir,
                Map.of("PATH", System.getenv("PATH"), "ONLY", "this"), token, lines::add);

        assertThat(result.exitCode()).isZero();
        assertThat(lines).filteredOn(line -> !line.startsWith("PWD=") && !line.startsWith("SHLVL=")
                && !line.startsWith("_=")).containsExactlyInAnyOrder(
                        "PATH=" + System.getenv("PATH"), "ONLY=this");
    }

    @Test
    void run_cutsOverlongLines() throws IOException {
        ProcessSupervisor supervisor = new ProcessSupervisor(Duration.ofSeconds(1), 100);

        supervisor.run(List.of("sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x; echo; echo next"),
                dir, ENV, token, lines::add);

        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("x".repeat(100) + " [truncated 99900 chars]");
        assertThat(lines.get(1)).isEqualTo("next");
    }

    @Test
    void run_missingProgram_throwsIOException() {
        ProcessSupervisor supervisor = new ProcessSupervisor(Duration.ofSeconds(1), 8192);

        assertThatThrownBy(() -> supervisor.run(List.of("/nonexistent/forge-tool"), dir, ENV, token,
                lines::add)).isInstanceOf(IOException.class);
    }

    @Test
    void cancel_killsTheWholeTreeWithinOneSecond() throws Exception {
        ProcessSupervisor supervisor = new ProcessSupervisor(Duration.ofSeconds(5), 8192);
        CompletableFuture<ProcessSupervisor.Result> run = runAsync(supervisor,
                List.of("sh", "-c", "sleep 30 & sleep 30; wait"));
        List<ProcessHandle> tree = awaitTree(2);

        long start = System.nanoTime();
        token.cancel(Reason.USER);

        assertThat(Fixtures.await(Duration.ofSeconds(1), () -> noneRunning(tree))).isTrue();
        ProcessSupervisor.Result result = run.get(5, TimeUnit.SECONDS);
        assertThat(result.stoppedBy()).isEqualTo(Reason.USER);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void softTimeout_termIgnored_killsAfterTheGracePeriod() throws Exception {
        ProcessSupervisor supervisor = new ProcessSupervisor(Duration.ofMillis(600), 8192);
        CompletableFuture<ProcessSupervisor.Result> run = runAsync(supervisor,
                List.of("sh", "-c", "trap '' TERM; while true; do sleep 0.2; done"));
        List<ProcessHandle> tree = awaitTree(1);
        long root = tree.get(tree.size() - 1).pid();

        token.cancel(Reason.SOFT_TIMEOUT);

        // the shell ignores SIGTERM, so it outlives the signal ...
        Thread.sleep(300);
        assertThat(Fixtures.running(root)).isTrue();
        // ... until SIGKILL after the grace period, which also reaches children started since
        assertThat(Fixtures.await(Duration.ofSeconds(2), () -> noneRunning(tree)
                && Fixtures.descendantsNamed("sleep").isEmpty())).isTrue();
        assertThat(run.get(5, TimeUnit.SECONDS).stoppedBy()).isEqualTo(Reason.SOFT_TIMEOUT);
    }

    @Test
    void hardTimeout_killsAtOnceEvenWhenTermIsIgnored() throws Exception {
        ProcessSupervisor supervisor = new ProcessSupervisor(Duration.ofSeconds(30), 8192);
        CompletableFuture<ProcessSupervisor.Result> run = runAsync(supervisor,
                List.of("sh", "-c", "trap '' TERM; sleep 30 & sleep 30; wait"));
        List<ProcessHandle> tree = awaitTree(2);

        token.cancel(Reason.HARD_TIMEOUT);

        assertThat(Fixtures.await(Duration.ofSeconds(1), () -> noneRunning(tree))).isTrue();
        ProcessSupervisor.Result result = run.get(5, TimeUnit.SECONDS);
        assertThat(result.stoppedBy()).isEqualTo(Reason.HARD_TIMEOUT);
        assertThat(result.exitCode()).isEqualTo(137);
    }

    @Test
    void cancel_beforeStart_stopsTheProcessAtOnce() throws IOException {
        ProcessSupervisor supervisor = new ProcessSupervisor(Duration.ofSeconds(5), 8192);
        token.cancel(Reason.USER);

        long start = System.nanoTime();
        ProcessSupervisor.Result result = supervisor.run(List.of("sleep", "30"), dir, ENV, token,
                lines::add);

        assertThat(result.stoppedBy()).isEqualTo(Reason.USER);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void normalExit_stopsProcessesLeftBehind() throws Exception {
        ProcessSupervisor supervisor = new ProcessSupervisor(Duration.ofSeconds(1), 8192);

        // the background sleep is seen while the shell still runs, then orphaned by its exit
        ProcessSupervisor.Result result = supervisor.run(
                List.of("sh", "-c", "sleep 37 & echo started; sleep 0.6"), dir, ENV, token, lines::add);

        assertThat(result.exitCode()).isZero();
        assertThat(result.stopped()).isFalse();
        assertThat(result.leftoversStopped()).isEqualTo(1);
        assertThat(lines).contains("started");
        assertThat(ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(a -> List.of(a).equals(List.of("37"))).orElse(false))
                .filter(p -> Fixtures.running(p.pid())).count()).isZero();
    }

    @Test
    void interrupt_killsTheTreeAndThrowsInfrastructureException() throws Exception {
        ProcessSupervisor supervisor = new ProcessSupervisor(Duration.ofSeconds(5), 8192);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                supervisor.run(List.of("sh", "-c", "sleep 30 & sleep 30; wait"), dir, ENV, token, lines::add);
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        worker.start();
        List<ProcessHandle> tree = awaitTree(2);

        worker.interrupt();

        worker.join(5000);
        assertThat(thrown.get()).isInstanceOf(InfrastructureException.class);
        assertThat(Fixtures.await(Duration.ofSeconds(1), () -> noneRunning(tree))).isTrue();
    }

    @Test
    void constructor_rejectsBadSettings() {
        assertThatThrownBy(() -> new ProcessSupervisor(Duration.ofSeconds(-1), 100))
                .hasMessageContaining("gracePeriod");
        assertThatThrownBy(() -> new ProcessSupervisor(Duration.ZERO, 0))
                .hasMessageContaining("maxLineLength");
    }

    private CompletableFuture<ProcessSupervisor.Result> runAsync(ProcessSupervisor supervisor,
            List<String> command) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return supervisor.run(command, dir, ENV, token, lines::add);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Waits until {@code sleeps} sleep processes run; returns them and their shell, shell last. */
    private static List<ProcessHandle> awaitTree(int sleeps) throws InterruptedException {
        assertThat(Fixtures.await(Duration.ofSeconds(5),
                () -> Fixtures.descendantsNamed("sleep").size() >= sleeps)).isTrue();
        List<ProcessHandle> tree = new java.util.ArrayList<>(Fixtures.descendantsNamed("sleep"));
        ProcessHandle shell = tree.get(0).parent().orElseThrow();
        tree.add(shell);
        assertThat(shell.info().command().orElse("")).endsWith("sh");
        return tree;
    }

    private static boolean noneRunning(List<ProcessHandle> tree) {
        return tree.stream().noneMatch(handle -> Fixtures.running(handle.pid()));
    }
}
