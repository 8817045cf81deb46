package dev.forge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.builds.BuildRequest;
import dev.forge.builds.BuildRunnerConfig;
import dev.forge.builds.ProcessBuildRunner;
import dev.forge.events.EventBus;
import dev.forge.events.InMemoryEventBus;
import dev.forge.events.TaskEvent;
import dev.forge.exec.AdmissionConfig;
import dev.forge.exec.CancellationToken;
import dev.forge.exec.ExecutorConfig;
import dev.forge.exec.RunOutcome;
import dev.forge.exec.TaskContext;
import dev.forge.lock.ClusterLock;
import dev.forge.lock.InMemoryClusterLock;
import dev.forge.project.InMemoryProjectCatalog;
import dev.forge.project.ProjectCatalog;
import dev.forge.project.ProjectSpec;
import dev.forge.queue.InMemoryJobQueue;
import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.sandbox.Enforcement;
import dev.forge.security.Principal;
import dev.forge.store.InMemoryTaskStore;
import dev.forge.task.TaskError;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import dev.forge.testing.Await;
import dev.forge.testing.ForwardingQueue;
import dev.forge.testing.ForwardingStore;
import dev.forge.testing.MutableClock;
import dev.forge.testing.ScriptedRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor as a cluster node: batched logs, cancellation through the control channel and its
 * stored-status backstop, a lost lease, timers that do not wait on a stalled backend, and
 * maintenance run by one node at a time. Nodes are {@link Forge} instances sharing in-memory
 * ports, as nodes share a Redis or PostgreSQL backend.
 */
class ExecutorClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Principal ALICE = Principal.user("alice");
    private static final ProjectCatalog CATALOG = new InMemoryProjectCatalog(
            List.of(ProjectSpec.builder("demo").localSource(Path.of(".")).build()));

    private final List<Forge> forges = new ArrayList<>();
    private final CountDownLatch testOver = new CountDownLatch(1);

    @AfterEach
    void closeAll() {
        testOver.countDown();
        forges.forEach(Forge::close);
    }

    private static ExecutorConfig.Builder fastConfig() {
        return ExecutorConfig.custom().workers(2).pollWait(Duration.ofMillis(100))
                .retryBase(Duration.ofMillis(20)).shutdownDeadline(Duration.ofSeconds(5));
    }

    private Forge.Builder node(ScriptedRunner runner) {
        return Forge.builder().projectCatalog(CATALOG).buildRunner(runner).analysisRunner(runner)
                .executorConfig(fastConfig().build());
    }

    private Forge keep(Forge forge) {
        forges.add(forge);
        return forge;
    }

    private static TaskRecord create(Forge forge) {
        return forge.builds().create(ALICE, new BuildRequest("demo", "build it", Map.of())).orElseThrow();
    }

    private static TaskRecord awaitStatus(Forge forge, TaskId id, TaskStatus status) {
        Await.until(() -> forge.store().find(id).orElseThrow().status() == status, WAIT,
                "task " + id + " to be " + status.wireName());
        return forge.store().find(id).orElseThrow();
    }

    private static RunOutcome awaitCancel(TaskContext context) {
        Await.until(context.cancellation()::isCancelled, WAIT, "cancellation");
        return RunOutcome.failure(Map.of(), new TaskError(TaskError.CANCELLED, "stopped"));
    }

    private static double storeCalls(Forge forge, String op) {
        return forge.metrics().registry().get("forge_store_calls_total").tag("op", op).counter().count();
    }

    @Test
    void logs_goOutInBatchesAndAreCompleteWhenTheStatusSaysFinished() throws Exception {
        int lines = 1_234;
        CountDownLatch subscribed = new CountDownLatch(1);
        ScriptedRunner runner = new ScriptedRunner().then(context -> {
            await(subscribed);
            for (int i = 1; i <= lines; i++) {
                context.log("line " + i);
            }
            return RunOutcome.success(Map.of());
        });
        Forge forge = keep(node(runner).build().start());
        TaskRecord task = create(forge);
        List<TaskEvent> logEvents = new CopyOnWriteArrayList<>();
        forge.events().subscribe(task.id(), e -> {
            if (e.type() == TaskEvent.Type.LOG) {
                logEvents.add(e);
            }
        });
        subscribed.countDown();

        awaitStatus(forge, task.id(), TaskStatus.COMPLETED);

        // Read at once: the last batch was stored before the terminal status.
        String log = forge.builds().logs(ALICE, task.id()).orElseThrow();
        assertThat(log.lines().toList()).hasSize(lines).first().isEqualTo("line 1");
        assertThat(log.lines().toList()).last().isEqualTo("line " + lines);
        double appends = storeCalls(forge, "append_logs");
        assertThat(appends).as("one store call per batch, not per line").isBetween(3.0, 60.0);
        Await.until(() -> logEvents.stream().mapToInt(e -> e.lines().size()).sum() == lines, WAIT,
                "every line to be published");
        List<String> published = logEvents.stream().flatMap(e -> e.lines().stream()).toList();
        assertThat(published).first().isEqualTo("line 1");
        assertThat(published).last().isEqualTo("line " + lines);
        assertThat(published).doesNotHaveDuplicates();
        assertThat(logEvents).hasSize((int) appends).allSatisfy(e -> assertThat(e.lines()).hasSizeLessThanOrEqualTo(500));
        assertThat(logEvents.get(logEvents.size() - 1).lastLine()).isEqualTo(lines);
    }

    @Test
    void cancel_onAnotherNode_stopsTheRealProcessTreeThroughTheChannel(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("pid");
        ProjectCatalog sleepy = new InMemoryProjectCatalog(List.of(ProjectSpec.builder("demo")
                .localSource(Files.createDirectories(dir.resolve("src")))
                // A fixed test command, not user input: the shell only records its pid for the test.
                .step("wait", "sh", "-c", "echo $$ > '" + pidFile + "'; exec sleep 60").build()));
        InMemoryTaskStore store = new InMemoryTaskStore();
        InMemoryJobQueue queue = new InMemoryJobQueue();
        InMemoryEventBus bus = new InMemoryEventBus();
        // The backstop would stop it too, but only after a minute: this proves the channel.
        // Unsandboxed: the test reads the step's pid file and process from the host, which a
        // sandboxed step (private /tmp, own pid namespace) would hide; the sandbox's own stop on
        // cancel is SandboxedBuildTest's.
        ProcessBuildRunner unsandboxed = new ProcessBuildRunner(BuildRunnerConfig.builder()
                .workspaceRoot(dir.resolve("ws")).enforcement(Enforcement.OFF).build());
        Forge worker = keep(Forge.builder().projectCatalog(sleepy).buildRunner(unsandboxed)
                .taskStore(store).jobQueue(queue).eventBus(bus)
                .executorConfig(fastConfig().cancelCheckInterval(Duration.ofMinutes(1)).build())
                .build().start());
        Forge api = keep(Forge.builder().projectCatalog(sleepy).taskStore(store).jobQueue(queue)
                .eventBus(bus).build());
        TaskRecord task = create(api);
        Await.until(() -> readPid(pidFile) > 0, WAIT, "the step to start");
        ProcessHandle step = ProcessHandle.of(readPid(pidFile)).orElseThrow();

        long before = System.nanoTime();
        api.builds().cancel(ALICE, task.id()).orElseThrow();

        // The deadline is generous because a loaded CI machine controls the timing, not the test;
        // the backstop is a minute away, so a stop within it came through the cancel channel.
        // On an idle machine this takes milliseconds (docs/architecture.md: within 1 s).
        Await.until(() -> !step.isAlive(), WAIT, "the step's process to be stopped");
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
        assertThat(tookMillis).isLessThan(Duration.ofMinutes(1).toMillis());
        Await.until(() -> worker.executor().busyWorkers() == 0, WAIT, "the attempt to end");
        assertThat(store.find(task.id()).orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void cancel_whoseRequestIsLost_isCaughtByTheStoredStatusCheck() {
        InMemoryEventBus real = new InMemoryEventBus();
        EventBus lossy = new ForwardingEventBus(real) {
            @Override
            public void requestCancel(TaskId taskId) {
                // lost on the way, as a message can be when a node reconnects
            }

            @Override
            public Subscription subscribe(Consumer<TaskEvent> listener) {
                throw new AssertionError("a worker must never subscribe to every task's events");
            }
        };
        ScriptedRunner runner = new ScriptedRunner().then(ExecutorClusterTest::awaitCancel);
        Forge forge = keep(node(runner).eventBus(lossy)
                .executorConfig(fastConfig().cancelCheckInterval(Duration.ofMillis(200)).build())
                .build().start());
        TaskRecord task = create(forge);
        awaitStatus(forge, task.id(), TaskStatus.RUNNING);
        runner.awaitCalls(1, WAIT);

        forge.builds().cancel(ALICE, task.id()).orElseThrow();

        Await.until(() -> forge.executor().busyWorkers() == 0, WAIT, "the attempt to stop");
        assertThat(runner.calls().get(0).cancellation().reason()).contains(CancellationToken.Reason.USER);
        assertThat(forge.store().find(task.id()).orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
    }

    @Test
    void attempt_whoseTaskMovedOn_stopsForLeaseLostAndStoresNothing() {
        InMemoryJobQueue queue = new InMemoryJobQueue();
        ScriptedRunner runner = new ScriptedRunner().then(context -> {
            awaitCancel(context);
            return RunOutcome.success(Map.of("late", true));
        });
        Forge forge = keep(node(runner).jobQueue(queue)
                .executorConfig(fastConfig().cancelCheckInterval(Duration.ofMillis(50)).build())
                .build().start());
        TaskRecord task = create(forge);
        TaskRecord running = awaitStatus(forge, task.id(), TaskStatus.RUNNING);
        runner.awaitCalls(1, WAIT);

        // Another worker took the job over and put the task back to waiting.
        TaskRecord takenOver = running.transitionTo(TaskStatus.INITIALIZING, null,
                new TaskError(TaskError.INFRASTRUCTURE, "taken over"), running.updatedAt());
        assertThat(forge.store().compareAndSet(running, takenOver)).isTrue();

        Await.until(() -> forge.executor().busyWorkers() == 0, WAIT, "the attempt to stop");
        assertThat(runner.calls().get(0).cancellation().reason()).contains(CancellationToken.Reason.LEASE_LOST);
        assertThat(forge.store().find(task.id()).orElseThrow()).isEqualTo(takenOver);
        assertThat(queue.depth("build")).as("the job is neither acked nor released by the loser").isEqualTo(1);
    }

    /**
     * A store may lose a write it acknowledged - Redis restarted with {@code appendfsync everysec}
     * loses up to a second of them - and the write lost may be a worker's move to running: the
     * worker then runs a task the store says is not started. Its final record must be refused
     * and its job left to be delivered again - never acked, which would leave the task waiting
     * forever with no job.
     */
    @Test
    void startLostByTheStore_finalRecordRefused_jobDeliveredAgain_taskCompletesOnce() {
        LosesFirstStart store = new LosesFirstStart(new InMemoryTaskStore());
        ScriptedRunner runner = new ScriptedRunner()
                .then(context -> RunOutcome.success(Map.of("run", 1)))
                .then(context -> RunOutcome.success(Map.of("run", 2)));
        Forge forge = keep(node(runner).taskStore(store)
                .executorConfig(fastConfig().leaseVisibility(Duration.ofSeconds(1)).build()).build().start());

        TaskRecord task = create(forge);

        TaskRecord done = awaitStatus(forge, task.id(), TaskStatus.COMPLETED);
        assertThat(store.lost).as("the first start was lost").isEqualTo(1);
        assertThat(runner.calls()).hasSize(2);
        assertThat(done.results()).isEqualTo(Map.of("run", 2));
        // the record is stored a moment before its job is acked (two calls in memory)
        Await.until(() -> forge.queue().depth(dev.forge.queue.Queues.forKind(TaskKind.BUILD)) == 0, WAIT,
                "the job to be acked, nothing left in the queue");
    }

    /** A store whose first move to running answers stored but keeps nothing, as a lost commit. */
    private static final class LosesFirstStart extends ForwardingStore {
        private final InMemoryTaskStore delegate;
        private volatile int lost;

        LosesFirstStart(InMemoryTaskStore delegate) {
            super(delegate);
            this.delegate = delegate;
        }

        @Override
        public boolean compareAndSet(TaskRecord expected, TaskRecord next) {
            if (lost == 0 && next.status() == TaskStatus.RUNNING && expected.status() != TaskStatus.RUNNING
                    && delegate.find(expected.id()).filter(expected::equals).isPresent()) {
                lost++;
                return true;
            }
            return super.compareAndSet(expected, next);
        }
    }

    @Test
    void timeouts_fireWhileTheQueueStallsTheHeartbeat() {
        CountDownLatch extendCalled = new CountDownLatch(1);
        JobQueue stalling = new ForwardingQueue(new InMemoryJobQueue()) {
            @Override
            public boolean extend(Lease lease, Duration visibility) {
                extendCalled.countDown();
                await(testOver); // a backend that stopped answering
                return true;
            }
        };
        ScriptedRunner runner = new ScriptedRunner().then(ExecutorClusterTest::awaitCancel);
        Forge forge = keep(node(runner).jobQueue(stalling).executorConfig(fastConfig()
                .leaseVisibility(Duration.ofSeconds(60)).heartbeatInterval(Duration.ofMillis(20))
                .timeouts(TaskKind.BUILD, Duration.ofMillis(300), Duration.ofSeconds(30)).build()).build().start());
        TaskRecord task = create(forge);

        TaskRecord done = awaitStatus(forge, task.id(), TaskStatus.FAILED);

        assertThat(extendCalled.getCount()).as("the heartbeat was stuck in the queue").isZero();
        assertThat(done.error().message()).contains("soft timeout");
    }

    @Test
    void backlog_workersLeaseTheirNextJobThemselves_notOneDispatcherHandOffPerJob() {
        int builds = 200;
        AtomicInteger byDispatcher = new AtomicInteger(); // leases that may wait: the dispatcher's
        AtomicInteger byWorkers = new AtomicInteger(); // leases that never wait: a worker's next job
        JobQueue counting = new ForwardingQueue(new InMemoryJobQueue()) {
            @Override
            public List<Lease> lease(List<String> queues, int max, Duration visibility, Duration wait)
                    throws InterruptedException {
                List<Lease> leases = super.lease(queues, max, visibility, wait);
                (wait.isZero() ? byWorkers : byDispatcher).addAndGet(leases.size());
                return leases;
            }
        };
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        Forge forge = keep(Forge.builder().projectCatalog(CATALOG).jobQueue(counting)
                .admission(AdmissionConfig.unlimited())
                .buildRunner((project, context) -> {
                    await(gate);
                    ran.incrementAndGet();
                    return RunOutcome.success(Map.of());
                })
                .executorConfig(fastConfig().build()).build().start());
        List<TaskId> ids = new ArrayList<>();
        for (int i = 0; i < builds; i++) {
            ids.add(create(forge).id());
        }

        gate.countDown(); // the two workers hold one job each; the rest is a backlog
        Await.until(() -> ran.get() == builds, WAIT, "every build to run");

        ids.forEach(id -> awaitStatus(forge, id, TaskStatus.COMPLETED));
        assertThat(byDispatcher.get() + byWorkers.get()).isEqualTo(builds);
        assertThat(byDispatcher.get()).as("jobs the dispatcher handed to a worker").isLessThanOrEqualTo(10);
    }

    @Test
    void maintenance_runsOnOneNodeAtATimeAndMovesOnWhenItsLeaseLapses() {
        MutableClock backendClock = MutableClock.startingAt2026();
        InMemoryClusterLock sharedLock = new InMemoryClusterLock(backendClock);
        CountingLock lockA = new CountingLock(sharedLock);
        CountingLock lockB = new CountingLock(InMemoryClusterLock.sharing(sharedLock));
        InMemoryTaskStore store = new InMemoryTaskStore();
        InMemoryJobQueue queue = new InMemoryJobQueue();
        InMemoryEventBus bus = new InMemoryEventBus();
        Duration interval = Duration.ofMillis(40);
        ExecutorConfig config = fastConfig().retention(Duration.ofDays(30), interval).healthInterval(interval).build();
        long startNanos = System.nanoTime();
        Forge a = keep(node(new ScriptedRunner()).taskStore(store).jobQueue(queue).eventBus(bus)
                .clusterLock(lockA).nodeId("node-a").executorConfig(config).build().start());
        Await.until(() -> storeCalls(a, "delete_terminal") >= 1, WAIT, "node a to run retention");
        Forge b = keep(node(new ScriptedRunner()).taskStore(store).jobQueue(queue).eventBus(bus)
                .clusterLock(lockB).nodeId("node-b").executorConfig(config).build().start());

        Await.until(() -> lockB.tries("retention") >= 5 && lockB.tries("health") >= 5, WAIT, "node b to try");
        assertThat(storeCalls(b, "delete_terminal")).as("node b never runs while a holds the lock").isZero();
        assertThat(b.health().components().get("executor").details()).doesNotContainKey("last_health_sweep");
        assertThat(a.health().components().get("executor").details()).containsKey("last_health_sweep");
        long elapsed = System.nanoTime() - startNanos;
        assertThat(storeCalls(a, "delete_terminal")).as("at most once per interval")
                .isLessThanOrEqualTo(elapsed / (double) interval.toNanos() + 1);

        // Node a goes away; once its lease lapses by the backend's clock, node b takes over.
        a.close();
        backendClock.advance(Duration.ofSeconds(1));
        Await.until(() -> storeCalls(b, "delete_terminal") >= 1, WAIT, "node b to take over retention");
        Await.until(() -> b.executor().lastHealthy() != null, WAIT, "node b to take over the health sweep");
    }

    private static long readPid(Path file) {
        try {
            String text = Files.exists(file) ? Files.readString(file).trim() : "";
            return text.isEmpty() ? 0 : Long.parseLong(text);
        } catch (java.io.IOException | NumberFormatException e) {
            return 0; // not written yet, or half written
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A lock that counts the tries of its holder, per lock name. */
    private static final class CountingLock implements ClusterLock {
        private final ClusterLock delegate;
        private final Map<String, AtomicInteger> tries = new java.util.concurrent.ConcurrentHashMap<>();

        CountingLock(ClusterLock delegate) {
            this.delegate = delegate;
        }

        int tries(String name) {
            return tries.getOrDefault(name, new AtomicInteger()).get();
        }

        @Override
        public boolean tryAcquire(String name, String holder, Duration lease) {
            tries.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
            return delegate.tryAcquire(name, holder, lease);
        }

        @Override
        public boolean release(String name, String holder) {
            return delegate.release(name, holder);
        }
    }
}
