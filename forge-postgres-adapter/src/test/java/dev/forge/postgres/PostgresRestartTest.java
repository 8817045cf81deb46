package dev.forge.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.InfrastructureException;
import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.store.TaskStore;
import dev.forge.task.Page;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
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
import org.junit.jupiter.api.Test;

/**
 * Crashes and restarts a PostgreSQL server and finds every task, log line and history page
 * again; a queued job survives, and the LISTEN connection comes back so an idle worker is woken
 * again.
 *
 * <p>The server is a private cluster ({@link PrivatePostgres}: initdb into a temporary folder, a
 * free port), stopped with {@code pg_ctl stop -m immediate} - no shutdown checkpoint, the WAL is
 * replayed at start, as after a crash - so the shared server and the tests of others on it are
 * never disturbed, and the test runs in every {@code mvn verify}.
 */
class PostgresRestartTest {

    @Test
    void serverRestart_losesNoTaskLogHistoryOrJob_andWakeUpsResume() throws Exception {
        try (PrivatePostgres server = PrivatePostgres.create();
                PostgresBackend node = node(server);
                PostgresBackend secondNode = node(server)) {
            TaskStore store = node.taskStore();
            JobQueue queue = node.jobQueue();
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

            server.crash();
            server.start();
            awaitAnswer(store);

            for (TaskRecord task : tasks.values()) {
                assertThat(store.find(task.id())).contains(task);
                assertThat(store.readLog(task.id())).isEqualTo(logs.get(task.id()));
            }
            assertThat(historyPages(store)).isEqualTo(pages);
            Optional<Lease> before = queue.lease("build", Duration.ofSeconds(30), Duration.ZERO);
            assertThat(before.map(Lease::payload)).contains("queued-before");
            assertThat(queue.ack(before.get())).isTrue();

            // an idle worker on a second node is woken by the NOTIFY of an enqueue after the restart;
            // like the executor's dispatcher, it retries a lease that fails on a connection the
            // crash left dead (the second node's pool has not been used since)
            JobQueue other = secondNode.jobQueue();
            awaitAnswer(secondNode.taskStore());
            ExecutorService waiter = Executors.newSingleThreadExecutor();
            try {
                Future<Optional<Lease>> leased = waiter.submit(() -> leaseRetrying(other));
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

    private static Optional<Lease> leaseRetrying(JobQueue queue) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return queue.lease("build", Duration.ofSeconds(30), Duration.ofSeconds(20));
            } catch (InfrastructureException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
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

    /** A node on the private server: its own pool and LISTEN connection. */
    private static PostgresBackend node(PrivatePostgres server) {
        return PostgresBackend.builder().jdbcUrl(server.url()).username("postgres").poolSize(4).build();
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
