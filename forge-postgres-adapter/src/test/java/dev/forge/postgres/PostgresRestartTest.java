package dev.forge.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.store.TaskStore;
import dev.forge.task.Page;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Restarts the PostgreSQL server process and finds every task, log line and history page again;
 * a queued job survives, and the LISTEN connection comes back so an idle worker is woken again.
 *
 * <p>Opt-in ({@code FORGE_POSTGRES_RESTART_TEST=1}): a restart breaks every other connection to
 * the server, and on a shared machine another developer's PostgreSQL tests may be running.
 */
class PostgresRestartTest {

    @Test
    void serverRestart_losesNoTaskLogHistoryOrJob_andWakeUpsResume() throws Exception {
        Assumptions.assumeTrue("1".equals(System.getenv("FORGE_POSTGRES_RESTART_TEST")),
                "restarts the PostgreSQL server; opt in with FORGE_POSTGRES_RESTART_TEST=1");
        try (PostgresTestDatabase db = PostgresTestDatabase.create()) {
            TaskStore store = db.backend().taskStore();
            JobQueue queue = db.backend().jobQueue();
            Instant start = Instant.parse("2026-01-01T00:00:00Z");
            Map<TaskId, TaskRecord> tasks = new HashMap<>();
            Map<TaskId, String> logs = new HashMap<>();
            for (int i = 0; i < 30; i++) {
                TaskRecord task = TaskRecord.create(TaskId.of("r" + i), TaskKind.BUILD, "alice", "demo",
                        "build " + i, Map.of(), List.of(), 3, start.plusSeconds(i));
                store.create(task);
                store.appendLogs(task.id(), List.of("line 1 of " + i, "line 2 of " + i));
                tasks.put(task.id(), task);
                logs.put(task.id(), store.readLog(task.id()));
            }
            List<Page<TaskRecord>> pages = historyPages(store);
            queue.enqueue("build", "queued-before");

            restartServer();
            awaitAnswer(store);

            for (TaskRecord task : tasks.values()) {
                assertThat(store.find(task.id())).contains(task);
                assertThat(store.readLog(task.id())).isEqualTo(logs.get(task.id()));
            }
            assertThat(historyPages(store)).isEqualTo(pages);
            Optional<Lease> before = queue.lease("build", Duration.ofSeconds(30), Duration.ZERO);
            assertThat(before.map(Lease::payload)).contains("queued-before");
            assertThat(queue.ack(before.get())).isTrue();

            // an idle worker on a second node is woken by the NOTIFY of an enqueue after the restart
            JobQueue other = db.secondNode().jobQueue();
            ExecutorService waiter = Executors.newSingleThreadExecutor();
            try {
                Future<Optional<Lease>> leased = waiter.submit(
                        () -> other.lease("build", Duration.ofSeconds(30), Duration.ofSeconds(20)));
                Thread.sleep(200);
                long sent = System.nanoTime();
                queue.enqueue("build", "queued-after");
                Optional<Lease> after = leased.get(30, TimeUnit.SECONDS);
                assertThat(after.map(Lease::payload)).contains("queued-after");
                assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(5));
            } finally {
                waiter.shutdownNow();
            }
        }
    }

    private static List<Page<TaskRecord>> historyPages(TaskStore store) {
        List<Page<TaskRecord>> pages = new ArrayList<>();
        for (int offset = 0; offset < 30; offset += 7) {
            pages.add(store.listByOwner("alice", TaskKind.BUILD, 7, offset));
        }
        return pages;
    }

    /** {@code pg_ctlcluster <version> main restart}, as argv, for the one installed cluster. */
    private static void restartServer() throws Exception {
        File[] versions = Path.of("/etc/postgresql").toFile().listFiles(File::isDirectory);
        assertThat(versions).as("a PostgreSQL cluster under /etc/postgresql").isNotEmpty();
        Path output = Files.createTempFile("pg-restart", ".log");
        Process process = new ProcessBuilder("pg_ctlcluster", "--skip-systemctl-redirect",
                versions[0].getName(), "main", "restart")
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("pg_ctlcluster finished").isTrue();
        assertThat(process.exitValue()).as("pg_ctlcluster: %s", Files.readString(output)).isZero();
        Files.deleteIfExists(output);
    }

    private static void awaitAnswer(TaskStore store) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                store.find(TaskId.of("probe"));
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }
}
