package dev.forge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.builds.BuildRequest;
import dev.forge.events.EventBus;
import dev.forge.events.InMemoryEventBus;
import dev.forge.exec.CancellationToken;
import dev.forge.exec.ExecutorConfig;
import dev.forge.exec.RunOutcome;
import dev.forge.project.InMemoryProjectCatalog;
import dev.forge.project.ProjectCatalog;
import dev.forge.project.ProjectSpec;
import dev.forge.queue.InMemoryJobQueue;
import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.ratelimit.InMemoryRateLimiter;
import dev.forge.ratelimit.RateLimitConfig;
import dev.forge.ratelimit.RateLimitRule;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.security.Principal;
import dev.forge.store.InMemoryTaskStore;
import dev.forge.store.StoredWithoutJobsException;
import dev.forge.store.TaskStore;
import dev.forge.task.Page;
import dev.forge.task.TaskError;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import dev.forge.testing.Await;
import dev.forge.testing.ForwardingQueue;
import dev.forge.testing.ForwardingStore;
import dev.forge.testing.MutableClock;
import dev.forge.testing.ScriptedRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * forge embedded in plain Java, end to end through the services and the executor, with a
 * runner the test controls.
 */
class ForgeEmbeddingTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Principal ALICE = Principal.user("alice");
    private static final Principal BOB = Principal.user("bob");
    private static final Principal ADMIN = Principal.admin("root");
    private static final ProjectCatalog CATALOG = new InMemoryProjectCatalog(
            List.of(ProjectSpec.builder("demo").localSource(Path.of(".")).build()));

    private final List<Forge> started = new ArrayList<>();

    @AfterEach
    void closeAll() {
        started.forEach(Forge::close);
    }

    private Forge.Builder forge(ScriptedRunner runner) {
        return Forge.builder().projectCatalog(CATALOG).buildRunner(runner).analysisRunner(runner)
                .executorConfig(fastConfig().build());
    }

    private static ExecutorConfig.Builder fastConfig() {
        return ExecutorConfig.custom().workers(2).pollWait(Duration.ofMillis(100))
                .retryBase(Duration.ofMillis(20)).shutdownDeadline(Duration.ofSeconds(5));
    }

    private Forge start(Forge forge) {
        started.add(forge);
        return forge.start();
    }

    private static TaskRecord create(Forge forge, Principal who) {
        return forge.builds().create(who, new BuildRequest("demo", "build it", Map.of("flavor", "fast")))
                .orElseThrow();
    }

    private static TaskRecord awaitStatus(Forge forge, TaskRecord task, TaskStatus status) {
        Await.until(() -> forge.store().find(task.id()).orElseThrow().status() == status, WAIT,
                "task " + task.id() + " to be " + status.wireName());
        return forge.store().find(task.id()).orElseThrow();
    }

    private static RunOutcome awaitCancel(dev.forge.exec.TaskContext context) {
        Await.until(context.cancellation()::isCancelled, WAIT, "cancellation");
        return RunOutcome.failure(Map.of(), new TaskError(TaskError.CANCELLED, "stopped"));
    }

    @Test
    void build_runsFromInitializingThroughRunningToCompleted() {
        CountDownLatch release = new CountDownLatch(1);
        ScriptedRunner runner = new ScriptedRunner().then(context -> {
            context.progress(50, "test");
            context.log("hello from the build");
            await(release);
            return RunOutcome.success(Map.of("tests", Map.of("total", 3)));
        });
        Forge forge = start(forge(runner).build());

        TaskRecord created = create(forge, ALICE);
        assertThat(created.status()).isEqualTo(TaskStatus.INITIALIZING);
        TaskRecord running = awaitStatus(forge, created, TaskStatus.RUNNING);
        assertThat(running.attempt()).isEqualTo(1);
        Await.until(() -> forge.store().find(created.id()).orElseThrow().progress() == 50, WAIT);
        release.countDown();

        TaskRecord done = awaitStatus(forge, created, TaskStatus.COMPLETED);
        assertThat(done.progress()).isEqualTo(100);
        assertThat(done.results()).containsEntry("tests", Map.of("total", 3));
        assertThat(done.completedAt()).isNotNull();
        assertThat(forge.builds().logs(ALICE, created.id()).orElseThrow()).contains("hello from the build");
        assertThat(runner.calls().get(0).task().parameters()).containsEntry("flavor", "fast");
        var registry = forge.metrics().registry();
        assertThat(registry.get("forge_tasks_total").tags("kind", "build", "status", "completed")
                .counter().count()).isEqualTo(1.0);
        assertThat(registry.get("forge_task_duration_seconds").tags("kind", "build").timer().count())
                .isEqualTo(1);
        // The job is acknowledged and the worker freed just after the final status is stored.
        Await.until(() -> registry.get("forge_queue_depth").tags("queue", "build").gauge().value() == 0
                && registry.get("forge_workers_busy").gauge().value() == 0, WAIT, "the worker to finish");
    }

    @Test
    void failedStep_isAResultAndNotRetried() {
        ScriptedRunner runner = new ScriptedRunner().then(context -> RunOutcome.failure(Map.of(),
                new TaskError(TaskError.STEP_FAILED, "step 'test' exited with code 2")));
        Forge forge = start(forge(runner).build());

        TaskRecord done = awaitStatus(forge, create(forge, ALICE), TaskStatus.FAILED);

        assertThat(done.attempt()).isEqualTo(1);
        assertThat(done.error().code()).isEqualTo(TaskError.STEP_FAILED);
        assertThat(runner.calls()).hasSize(1);
    }

    @Test
    void resultsTheStoreCannotHold_failTheTaskInsteadOfLeavingItRunning() {
        ScriptedRunner runner = new ScriptedRunner().then(context ->
                RunOutcome.success(Map.of("not_json", new Object())));
        Forge forge = start(forge(runner).build());

        TaskRecord done = awaitStatus(forge, create(forge, ALICE), TaskStatus.FAILED);

        assertThat(done.error().code()).isEqualTo(TaskError.TASK);
        Await.until(() -> forge.queue().depth("build") == 0, WAIT, "the job to be acknowledged");
    }

    @Test
    void infrastructureError_isRetriedAfterBackoff() {
        MutableClock clock = MutableClock.startingAt2026();
        ScriptedRunner runner = new ScriptedRunner()
                .then(context -> {
                    throw new InfrastructureException("clone failed: connection reset");
                })
                .then(context -> RunOutcome.success(Map.of("ok", true)));
        CountDownLatch released = new CountDownLatch(1);
        JobQueue queue = new ForwardingQueue(new InMemoryJobQueue(clock)) {
            @Override
            public boolean release(Lease lease, Duration delay) {
                boolean held = super.release(lease, delay);
                released.countDown();
                return held;
            }
        };
        Forge forge = start(forge(runner).clock(clock).jobQueue(queue)
                .executorConfig(fastConfig().retryBase(Duration.ofSeconds(1)).retryJitter(0).build())
                .build());

        TaskRecord task = create(forge, ALICE);
        // The record is stored before the job goes back with its delay, measured from the clock
        // of that moment: the clock may move only once the job is back.
        await(released);
        TaskRecord waiting = forge.store().find(task.id()).orElseThrow();
        assertThat(waiting.status()).isEqualTo(TaskStatus.INITIALIZING);
        assertThat(waiting.attempt()).isEqualTo(1);
        assertThat(waiting.error().code()).isEqualTo(TaskError.INFRASTRUCTURE);

        // Backoff after attempt 1 is 2^1 s: not a moment before.
        clock.advance(Duration.ofMillis(1900));
        assertThat(runner.calls()).hasSize(1);
        clock.advance(Duration.ofMillis(200));

        TaskRecord done = awaitStatus(forge, task, TaskStatus.COMPLETED);
        assertThat(done.attempt()).isEqualTo(2);
        assertThat(done.error()).isNull();
        assertThat(forge.metrics().registry().counter("forge_task_retries_total").count()).isEqualTo(1.0);
    }

    @Test
    void infrastructureError_failsTheTaskWhenAttemptsRunOut() {
        ScriptedRunner runner = new ScriptedRunner().then(context -> {
            throw new InfrastructureException("disk full");
        });
        Forge forge = start(forge(runner).build());

        TaskRecord done = awaitStatus(forge, create(forge, ALICE), TaskStatus.FAILED);

        assertThat(done.attempt()).isEqualTo(3);
        assertThat(done.error().code()).isEqualTo(TaskError.INFRASTRUCTURE);
        assertThat(done.error().message()).contains("disk full").contains("3 attempts");
        assertThat(runner.calls()).hasSize(3);
    }

    @Test
    void staleWorker_lateResultIsRefused() {
        MutableClock clock = MutableClock.startingAt2026();
        InMemoryTaskStore store = new InMemoryTaskStore();
        InMemoryJobQueue queue = new InMemoryJobQueue(clock);
        InMemoryEventBus events = new InMemoryEventBus();
        // One worker each: a stalled worker A has no free slot to lease the lapsed job itself.
        ExecutorConfig slowHeartbeat = fastConfig().workers(1).leaseVisibility(Duration.ofSeconds(60))
                .heartbeatInterval(Duration.ofSeconds(50)).build();
        CountDownLatch firstMayFinish = new CountDownLatch(1);
        ScriptedRunner first = new ScriptedRunner().then(context -> {
            await(firstMayFinish);
            return RunOutcome.success(Map.of("by", "first"));
        });
        ScriptedRunner second = new ScriptedRunner().then(context -> RunOutcome.success(Map.of("by", "second")));
        Forge workerA = start(forge(first).clock(clock).taskStore(store).jobQueue(queue).eventBus(events)
                .executorConfig(slowHeartbeat).build());
        TaskRecord task = create(workerA, ALICE);
        awaitStatus(workerA, task, TaskStatus.RUNNING);
        first.awaitCalls(1, WAIT);

        // Worker A stalls past its lease: the job is delivered to worker B, which finishes first.
        clock.advance(Duration.ofSeconds(61));
        Forge workerB = start(forge(second).clock(clock).taskStore(store).jobQueue(queue).eventBus(events)
                .executorConfig(slowHeartbeat).build());
        TaskRecord done = awaitStatus(workerB, task, TaskStatus.COMPLETED);
        assertThat(done.attempt()).isEqualTo(2);
        assertThat(done.results()).containsEntry("by", "second");

        firstMayFinish.countDown();
        Await.until(() -> workerA.executor().busyWorkers() == 0, WAIT, "worker A to give up");
        assertThat(first.calls().get(0).cancellation().reason()).contains(CancellationToken.Reason.LEASE_LOST);
        TaskRecord after = store.find(task.id()).orElseThrow();
        assertThat(after.results()).containsEntry("by", "second");
        assertThat(after.version()).isEqualTo(done.version());
    }

    @Test
    void cancel_initializingTaskIsCancelledAtOnceAndNeverRuns() {
        ScriptedRunner runner = new ScriptedRunner();
        Forge forge = forge(runner).build();
        started.add(forge);
        TaskRecord task = create(forge, ALICE);

        TaskRecord cancelled = forge.builds().cancel(ALICE, task.id()).orElseThrow();

        assertThat(cancelled.status()).isEqualTo(TaskStatus.CANCELLED);
        forge.start();
        Await.until(() -> forge.queue().depth("build") == 0, WAIT, "the job to be dropped");
        assertThat(runner.calls()).isEmpty();
        assertThat(forge.builds().cancel(ALICE, task.id())).isInstanceOf(Outcome.Conflict.class);
    }

    @Test
    void cancel_runningTaskStopsTheAttemptPromptly() {
        List<Long> stopLatencies = new ArrayList<>();
        ScriptedRunner runner = new ScriptedRunner().then(context -> {
            long[] cancelledAt = new long[1];
            context.cancellation().onCancel(reason -> cancelledAt[0] = System.nanoTime());
            RunOutcome outcome = awaitCancel(context);
            stopLatencies.add(System.nanoTime() - cancelledAt[0]);
            assertThat(context.cancellation().reason()).contains(CancellationToken.Reason.USER);
            return outcome;
        });
        Forge forge = start(forge(runner).build());
        TaskRecord task = create(forge, ALICE);
        awaitStatus(forge, task, TaskStatus.RUNNING);
        runner.awaitCalls(1, WAIT);

        Outcome<TaskRecord> outcome = forge.builds().cancel(ALICE, task.id());

        assertThat(outcome.orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
        Await.until(() -> forge.executor().busyWorkers() == 0, Duration.ofSeconds(1), "attempt to stop");
        TaskRecord after = forge.store().find(task.id()).orElseThrow();
        assertThat(after.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(after.error().code()).isEqualTo(TaskError.CANCELLED);
    }

    @Test
    void softTimeout_stopsTheAttemptAndFailsTheTask() {
        ScriptedRunner runner = new ScriptedRunner().then(ForgeEmbeddingTest::awaitCancel);
        Forge forge = start(forge(runner).executorConfig(fastConfig()
                .timeouts(TaskKind.BUILD, Duration.ofMillis(200), Duration.ofSeconds(30)).build()).build());

        TaskRecord done = awaitStatus(forge, create(forge, ALICE), TaskStatus.FAILED);

        assertThat(done.error().code()).isEqualTo(TaskError.TIMEOUT);
        assertThat(done.error().message()).contains("soft timeout");
        assertThat(runner.calls().get(0).cancellation().reason()).contains(CancellationToken.Reason.SOFT_TIMEOUT);
    }

    @Test
    void hardTimeout_endsAnAttemptThatIgnoresTheSoftOne() {
        ScriptedRunner runner = new ScriptedRunner().then(context -> {
            // Ignores SIGTERM, as a stubborn process would; stops only when killed.
            Await.until(() -> ((dev.forge.exec.CancellationSource) context.cancellation())
                    .wasRequested(CancellationToken.Reason.HARD_TIMEOUT), WAIT, "hard timeout");
            return RunOutcome.failure(Map.of(), new TaskError(TaskError.CANCELLED, "killed"));
        });
        Forge forge = start(forge(runner).executorConfig(fastConfig()
                .timeouts(TaskKind.BUILD, Duration.ofMillis(100), Duration.ofMillis(400)).build()).build());

        TaskRecord done = awaitStatus(forge, create(forge, ALICE), TaskStatus.FAILED);

        assertThat(done.error().code()).isEqualTo(TaskError.TIMEOUT);
        assertThat(done.error().message()).contains("hard timeout");
    }

    @Test
    void close_letsRunningWorkFinishWithinTheDeadline() {
        CountDownLatch closing = new CountDownLatch(1);
        ScriptedRunner runner = new ScriptedRunner().then(context -> {
            await(closing);
            return RunOutcome.success(Map.of("finished", "during shutdown"));
        });
        Forge forge = start(forge(runner).build());
        TaskRecord task = create(forge, ALICE);
        awaitStatus(forge, task, TaskStatus.RUNNING);
        runner.awaitCalls(1, WAIT);

        Thread closer = new Thread(forge::close);
        closer.start();
        Await.until(() -> !forge.executor().isRunning(), WAIT, "shutdown to begin");
        closing.countDown();
        join(closer);

        TaskRecord after = forge.store().find(task.id()).orElseThrow();
        assertThat(after.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(after.results()).containsEntry("finished", "during shutdown");
    }

    @Test
    void close_handsBackWorkThatOutlivesTheDeadline() {
        ScriptedRunner runner = new ScriptedRunner().then(context -> {
            Await.until(() -> context.cancellation().reason().isPresent(), WAIT, "a stop");
            assertThat(context.cancellation().reason()).contains(CancellationToken.Reason.SHUTDOWN);
            return RunOutcome.failure(Map.of(), new TaskError(TaskError.CANCELLED, "stopped"));
        });
        InMemoryJobQueue queue = new InMemoryJobQueue();
        Forge forge = start(forge(runner).jobQueue(queue)
                .executorConfig(fastConfig().shutdownDeadline(Duration.ofMillis(200)).build()).build());
        TaskRecord task = create(forge, ALICE);
        awaitStatus(forge, task, TaskStatus.RUNNING);
        runner.awaitCalls(1, WAIT);

        forge.executor().close();

        TaskRecord after = forge.store().find(task.id()).orElseThrow();
        assertThat(after.status()).isEqualTo(TaskStatus.INITIALIZING);
        assertThat(after.attempt()).isEqualTo(1);
        assertThat(queue.depth("build")).as("the job waits for another worker").isEqualTo(1);
    }

    @Test
    void retention_deletesTerminalTasksOlderThanTheRetentionOnASchedule() {
        MutableClock clock = MutableClock.startingAt2026();
        Forge forge = forge(new ScriptedRunner()).clock(clock)
                .executorConfig(fastConfig().retention(Duration.ofDays(30), Duration.ofMillis(100)).build())
                .build();
        started.add(forge);
        TaskRecord old = create(forge, ALICE);
        forge.builds().cancel(ALICE, old.id()).orElseThrow();
        clock.advance(Duration.ofDays(29));
        TaskRecord recent = create(forge, ALICE);
        forge.builds().cancel(ALICE, recent.id()).orElseThrow();
        TaskRecord waiting = create(forge, ALICE);
        clock.advance(Duration.ofDays(2));

        forge.start();

        Await.until(() -> forge.store().find(old.id()).isEmpty(), WAIT, "the retention sweep");
        assertThat(forge.store().find(recent.id())).isPresent();
        assertThat(forge.store().find(waiting.id())).isPresent();
    }

    @Test
    void hardTimeout_abandonsARunnerThatIgnoresCancellation() {
        java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
        CountDownLatch runnerMayReturn = new CountDownLatch(1);
        ScriptedRunner runner = new ScriptedRunner().then(context -> {
            // Heeds neither the token nor interrupts, like code stuck in a long computation.
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (runnerMayReturn.getCount() > 0 && System.nanoTime() < deadline) {
                if (Thread.interrupted()) {
                    interrupted.set(true);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            return RunOutcome.success(Map.of("late", true));
        });
        Forge forge = start(forge(runner).executorConfig(fastConfig()
                .timeouts(TaskKind.BUILD, Duration.ofMillis(100), Duration.ofMillis(200))
                .hardTimeoutGrace(Duration.ofMillis(100)).build()).build());
        TaskRecord task = create(forge, ALICE);

        TaskRecord failed = awaitStatus(forge, task, TaskStatus.FAILED);

        assertThat(failed.error().code()).isEqualTo(TaskError.TIMEOUT);
        assertThat(failed.error().message()).contains("hard timeout");
        Await.until(interrupted::get, WAIT, "the worker thread to be interrupted");
        assertThat(forge.queue().depth("build")).as("the job is acknowledged").isZero();
        runnerMayReturn.countDown();
        Await.until(() -> forge.executor().busyWorkers() == 0, WAIT, "the runner to return");
        assertThat(forge.store().find(task.id()).orElseThrow()).isEqualTo(failed);
    }

    /**
     * The contract: a cancel stored before the runner starts is never missed by it. Here the
     * lease started the task, and the cancel lands while the worker looks up the project: the
     * task is cancelled as a running one, and its request stops the attempt - before the runner
     * is called if it arrives first, else through the runner's token. Repeated, as the old form
     * of this test once failed under load.
     */
    @RepeatedTest(5)
    void cancel_whileTheWorkerIsStillPreparing_stopsTheAttempt() throws Exception {
        CountDownLatch lookupStarted = new CountDownLatch(1);
        CountDownLatch lookupMayFinish = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
        ProjectCatalog slowCatalog = new ProjectCatalog() {
            @Override
            public Optional<ProjectSpec> find(String name) {
                if (lookups.incrementAndGet() == 2) { // the worker's lookup, after create's
                    lookupStarted.countDown();
                    await(lookupMayFinish);
                }
                return CATALOG.find(name);
            }

            @Override
            public List<String> names() {
                return CATALOG.names();
            }
        };
        ScriptedRunner runner = new ScriptedRunner().then(ForgeEmbeddingTest::awaitCancel);
        Forge forge = start(forge(runner).projectCatalog(slowCatalog).build());
        TaskRecord task = create(forge, ALICE);
        assertThat(lookupStarted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(forge.store().find(task.id()).orElseThrow().status()).as("started by its lease")
                .isEqualTo(TaskStatus.RUNNING);

        forge.builds().cancel(ALICE, task.id()).orElseThrow();
        lookupMayFinish.countDown();

        Await.until(() -> forge.queue().depth("build") == 0, WAIT, "the job to be dropped");
        assertThat(runner.calls()).allSatisfy(call ->
                assertThat(call.cancellation().reason()).contains(CancellationToken.Reason.USER));
        TaskRecord after = forge.store().find(task.id()).orElseThrow();
        assertThat(after.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(after.attempt()).isEqualTo(1);
    }

    /**
     * A cancel whose request arrives after the lease started the task but before the worker
     * took the job up (so no attempt is registered on the node yet) is kept, and stops the
     * attempt before its runner is called.
     */
    @Test
    void cancel_betweenTheLeaseThatStartedTheTaskAndTheWorker_stopsTheAttemptBeforeTheRunner() throws Exception {
        CancelFromInside cancel = new CancelFromInside();
        InMemoryTaskStore realStore = new InMemoryTaskStore();
        TaskStore store = new ForwardingStore(realStore) {
            @Override
            public List<dev.forge.store.LeasedTask> leaseAndStart(JobQueue queue, List<String> queues, int max,
                    Duration visibility, Duration wait, java.time.Clock clock) throws InterruptedException {
                List<dev.forge.store.LeasedTask> leased = realStore.leaseAndStart(queue, queues, max, visibility,
                        wait, clock);
                for (dev.forge.store.LeasedTask each : leased) {
                    if (each.started() != null) {
                        cancel.once(each.started().id());
                    }
                }
                return leased;
            }
        };

        cancel.runToCancelledWithoutTheRunner(store);
    }

    /**
     * Jobs leased ahead that no worker takes in time go back to the queue, their tasks to
     * initializing with the attempt they had. The workers' own leases (under a backlog: the ten
     * builds are created at once) take 300 ms here, a backend a long round trip away, and the
     * attempts end at once until two of those leases have returned; so the second one leases
     * ahead (both workers' next attempts end during a lease), and the attempts after it block:
     * the jobs held for them wait past the 100 ms limit and are given back. Each task still
     * completes at attempt 1: a give-back that kept the lease's attempt would show 2.
     */
    @Test
    void jobsLeasedAhead_notTakenInTime_goBack_andStillRunAtTheirFirstAttempt() throws Exception {
        InMemoryTaskStore realStore = new InMemoryTaskStore();
        java.util.concurrent.atomic.AtomicInteger workersLeases = new java.util.concurrent.atomic.AtomicInteger();
        TaskStore store = new ForwardingStore(realStore) {
            @Override
            public List<dev.forge.store.LeasedTask> leaseAndStart(JobQueue queue, List<String> queues, int max,
                    Duration visibility, Duration wait, java.time.Clock clock) throws InterruptedException {
                if (!wait.isZero()) {
                    return realStore.leaseAndStart(queue, queues, max, visibility, wait, clock);
                }
                Thread.sleep(300); // a worker's own lease, from a backend far away
                List<dev.forge.store.LeasedTask> leased = realStore.leaseAndStart(queue, queues, max, visibility,
                        wait, clock);
                workersLeases.incrementAndGet();
                return leased;
            }
        };
        CountDownLatch release = new CountDownLatch(1);
        ScriptedRunner runner = new ScriptedRunner().then(context -> {
            if (workersLeases.get() >= 2) {
                try {
                    release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return RunOutcome.success(Map.of());
        });
        Map<dev.forge.task.TaskId, Integer> initializing = new java.util.concurrent.ConcurrentHashMap<>();
        Forge forge = start(forge(runner).taskStore(store)
                .executorConfig(fastConfig().leaseAheadWait(Duration.ofMillis(100)).build()).build());
        try (EventBus.Subscription events = forge.events().subscribe(event -> {
            if (event.type() == dev.forge.events.TaskEvent.Type.STATUS && event.status() == TaskStatus.INITIALIZING) {
                initializing.merge(event.taskId(), 1, Integer::sum);
            }
        })) {
            List<BuildRequest> requests = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                requests.add(new BuildRequest("demo", "build it", Map.of()));
            }
            List<TaskRecord> tasks = new ArrayList<>();
            forge.builds().createAll(ALICE, requests).forEach(created -> tasks.add(created.orElseThrow()));
            Await.until(() -> initializing.values().stream().anyMatch(n -> n >= 2), WAIT,
                    "a job leased ahead to be given back (its task initializing again)");
            release.countDown();
            for (TaskRecord task : tasks) {
                TaskRecord done = awaitStatus(forge, task, TaskStatus.COMPLETED);
                assertThat(done.attempt()).as("attempt of %s", task.id()).isEqualTo(1);
            }
            assertThat(runner.calls()).hasSize(10);
        } finally {
            release.countDown();
        }
    }

    /**
     * Held jobs that run low are topped up by a lease call of the dispatcher's own refill thread
     * while the workers run the ones left, so the workers do not all wait for one lease when
     * the held jobs run out (the pool moved in one convoy: all in their final commits, then all
     * in one lease). The workers' leases take 200 ms here, far longer than an attempt even on a
     * loaded machine, so the workers are measured to need both their jobs held ahead; taking
     * one leaves the other, half of that, which calls for a refill. The refill thread is made at
     * the first refill, so a new one alive at the end says one was asked for (its call may have
     * gone in a worker's shared lease call, on the worker's thread).
     */
    @Test
    void heldJobsRunningLow_areToppedUpInTheBackground_andEveryTaskRunsOnce() throws Exception {
        InMemoryTaskStore realStore = new InMemoryTaskStore();
        Set<Thread> refillersBefore = refillThreads();
        TaskStore store = new ForwardingStore(realStore) {
            @Override
            public List<dev.forge.store.LeasedTask> leaseAndStart(JobQueue queue, List<String> queues, int max,
                    Duration visibility, Duration wait, java.time.Clock clock) throws InterruptedException {
                if (wait.isZero()) {
                    Thread.sleep(200); // the workers' own lease, from a backend far away
                }
                return realStore.leaseAndStart(queue, queues, max, visibility, wait, clock);
            }
        };
        ScriptedRunner runner = new ScriptedRunner().then(context -> RunOutcome.success(Map.of()));
        Forge forge = start(forge(runner).taskStore(store)
                .executorConfig(fastConfig().leaseAheadWait(Duration.ofSeconds(5)).leaseVisibility(Duration.ofMinutes(1))
                        .build()).build());
        List<BuildRequest> requests = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            requests.add(new BuildRequest("demo", "build it", Map.of()));
        }
        List<TaskRecord> tasks = new ArrayList<>();
        forge.builds().createAll(ALICE, requests).forEach(created -> tasks.add(created.orElseThrow()));

        for (TaskRecord task : tasks) {
            assertThat(awaitStatus(forge, task, TaskStatus.COMPLETED).attempt()).as("attempt of %s", task.id())
                    .isEqualTo(1);
        }
        assertThat(runner.calls()).hasSize(20);
        Set<Thread> refillers = refillThreads();
        refillers.removeAll(refillersBefore);
        assertThat(refillers).as("refill threads made while the builds ran").isNotEmpty();
    }

    /** The dispatchers' refill threads alive now. */
    private static Set<Thread> refillThreads() {
        Set<Thread> threads = new java.util.HashSet<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals("forge-lease-ahead")) {
                threads.add(thread);
            }
        }
        return threads;
    }

    /**
     * The other half of the contract, where the worker starts the task itself (a store that
     * cannot start in its lease): a cancel that lands just after the worker moved the task to
     * running reaches the attempt through the cancel channel, without the stored-status check
     * (set to a minute here). The cancel is made inside the worker's own compare-and-set and
     * its request delivered before that call returns, so an attempt registered only after
     * starting its task would miss it; registered before, it is stopped before its runner is
     * called.
     */
    @RepeatedTest(3)
    void cancel_justAfterTheWorkerStartsTheTask_reachesTheAttemptThroughTheChannel() throws Exception {
        CancelFromInside cancel = new CancelFromInside();
        // a ForwardingStore takes the default leaseAndStart: it leases and starts nothing
        TaskStore store = new ForwardingStore(new InMemoryTaskStore()) {
            @Override
            public boolean compareAndSet(TaskRecord expected, TaskRecord next) {
                boolean stored = super.compareAndSet(expected, next);
                if (stored && next.status() == TaskStatus.RUNNING) {
                    cancel.once(next.id());
                }
                return stored;
            }
        };

        cancel.runToCancelledWithoutTheRunner(store);
    }

    /**
     * A cancel made once from inside a store call, its request delivered to the executor before
     * that call returns; and a forge on that store and this bus that runs one build, with the
     * stored-status check set to a minute, so only the request can stop the attempt.
     */
    private final class CancelFromInside {
        private final java.util.concurrent.atomic.AtomicReference<Forge> forge =
                new java.util.concurrent.atomic.AtomicReference<>();
        private final CountDownLatch delivered = new CountDownLatch(1);
        private final java.util.concurrent.atomic.AtomicBoolean made = new java.util.concurrent.atomic.AtomicBoolean();
        private final EventBus bus = new ForwardingEventBus(new InMemoryEventBus()) {
            @Override
            public Subscription onCancel(java.util.function.Consumer<dev.forge.task.TaskId> listener) {
                return super.onCancel(id -> {
                    listener.accept(id);
                    delivered.countDown();
                });
            }
        };

        /** Cancels the task, the first time only, and waits until its request was delivered. */
        void once(dev.forge.task.TaskId id) {
            if (!made.compareAndSet(false, true)) {
                return;
            }
            forge.get().builds().cancel(ALICE, id).orElseThrow();
            try {
                assertThat(delivered.await(10, TimeUnit.SECONDS)).as("cancel request delivered").isTrue();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        /** Runs one build on {@code store}: it ends cancelled, its job dropped, its runner never called. */
        void runToCancelledWithoutTheRunner(TaskStore store) throws Exception {
            ScriptedRunner runner = new ScriptedRunner().then(ForgeEmbeddingTest::awaitCancel);
            Forge built = forge(runner).taskStore(store).eventBus(bus)
                    .executorConfig(fastConfig().cancelCheckInterval(Duration.ofMinutes(1)).build()).build();
            forge.set(built);
            start(built);
            TaskRecord task = create(built, ALICE);

            awaitStatus(built, task, TaskStatus.CANCELLED);
            Await.until(() -> built.queue().depth("build") == 0, WAIT, "the job to be dropped");
            assertThat(made).as("the cancel was made inside the store call").isTrue();
            assertThat(runner.calls()).isEmpty();
        }
    }

    @Test
    void create_whenTheQueueFails_failsTheStoredTaskAndReportsTheError() {
        JobQueue broken = new ForwardingQueue(new InMemoryJobQueue()) {
            @Override
            public List<String> enqueueAll(String queue, List<String> payloads, Duration delay, List<String> groups) {
                throw new InfrastructureException("queue unreachable");
            }
        };
        Forge forge = forge(new ScriptedRunner()).jobQueue(broken).build();
        started.add(forge);

        // the store took the task, the queue did not: nothing would ever run it
        assertThatThrownBy(() -> create(forge, ALICE)).isInstanceOf(StoredWithoutJobsException.class)
                .hasRootCauseMessage("queue unreachable");

        List<TaskRecord> stored = forge.builds().history(ALICE, null, null).orElseThrow().items();
        assertThat(stored).singleElement().satisfies(t -> {
            assertThat(t.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(t.error()).isEqualTo(new TaskError(TaskError.INFRASTRUCTURE, "the task could not be queued"));
        });
    }

    @Test
    void builderWorkers_keepsTheRestOfAnEarlierExecutorConfig() {
        Forge forge = forge(new ScriptedRunner())
                .executorConfig(fastConfig().maxAttempts(TaskKind.BUILD, 1).build())
                .workers(1)
                .build();
        started.add(forge);

        assertThat(create(forge, ALICE).maxAttempts()).isEqualTo(1);
        assertThat(forge.executor().workerCount()).isEqualTo(1);
    }

    @Test
    void owners_seeOnlyTheirOwnTasksAndAdminsSeeAll() {
        Forge forge = forge(new ScriptedRunner()).build();
        started.add(forge);
        TaskRecord alices = create(forge, ALICE);

        assertThat(forge.builds().status(ALICE, alices.id()).isOk()).isTrue();
        assertThat(forge.builds().status(BOB, alices.id())).isInstanceOf(Outcome.Forbidden.class);
        assertThat(forge.builds().cancel(BOB, alices.id())).isInstanceOf(Outcome.Forbidden.class);
        assertThat(forge.builds().logs(BOB, alices.id())).isInstanceOf(Outcome.Forbidden.class);
        assertThat(forge.builds().status(ADMIN, alices.id()).isOk()).isTrue();
        assertThat(forge.builds().history(BOB, null, null).orElseThrow().total()).isZero();
        assertThat(forge.analyses().result(ALICE, alices.id())).isInstanceOf(Outcome.NotFound.class);
    }

    @Test
    void history_pagesNewestFirstAndCapsTheLimit() {
        MutableClock clock = MutableClock.startingAt2026();
        RateLimiter generous = new InMemoryRateLimiter(RateLimitConfig.custom()
                .rule(RateLimiter.BUILD_CREATE, RateLimitRule.perMinute(1000)).build(), clock);
        Forge forge = forge(new ScriptedRunner()).clock(clock).rateLimiter(generous).build();
        started.add(forge);
        List<TaskRecord> created = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            created.add(create(forge, ALICE));
            clock.advance(Duration.ofSeconds(1));
        }

        Page<TaskRecord> first = forge.builds().history(ALICE, 10, 0).orElseThrow();
        Page<TaskRecord> last = forge.builds().history(ALICE, 10, 20).orElseThrow();

        assertThat(first.total()).isEqualTo(25);
        List<TaskRecord> newestTen = new ArrayList<>(created.subList(15, 25));
        java.util.Collections.reverse(newestTen);
        assertThat(first.items()).extracting(TaskRecord::id)
                .containsExactlyElementsOf(newestTen.stream().map(TaskRecord::id).toList());
        assertThat(last.items()).hasSize(5);
        assertThat(forge.builds().history(ALICE, 500, 0).orElseThrow().limit()).isEqualTo(100);
        assertThat(forge.builds().history(ALICE, 0, 0)).isInstanceOf(Outcome.Invalid.class);
        assertThat(forge.builds().history(ALICE, 10, -1)).isInstanceOf(Outcome.Invalid.class);
    }

    @Test
    void rateLimit_withoutALimiter_anEmbeddingApplicationIsNotLimited() {
        Forge forge = forge(new ScriptedRunner()).build();
        started.add(forge);

        for (int i = 0; i < 3 * RateLimitConfig.DEFAULT_BUILD_CREATE_PER_MINUTE; i++) {
            create(forge, ALICE);
        }

        assertThat(forge.rateLimiter()).isEmpty();
        assertThat(forge.builds().history(ALICE, 100, null).orElseThrow().total())
                .isEqualTo(3 * RateLimitConfig.DEFAULT_BUILD_CREATE_PER_MINUTE);
    }

    @Test
    void rateLimit_optedIn_deniesTheEleventhBuildInAMinuteWithRetryAfter() {
        MutableClock clock = MutableClock.startingAt2026();
        Forge forge = forge(new ScriptedRunner()).clock(clock)
                .rateLimiter(new InMemoryRateLimiter(RateLimitConfig.ofDefaults(), clock)).build();
        started.add(forge);
        for (int i = 0; i < 10; i++) {
            create(forge, ALICE);
        }

        Outcome<TaskRecord> eleventh = forge.builds().create(ALICE, new BuildRequest("demo", "again", Map.of()));

        assertThat(eleventh).isInstanceOf(Outcome.RateLimited.class);
        Duration retryAfter = ((Outcome.RateLimited<TaskRecord>) eleventh).decision().retryAfter();
        assertThat(retryAfter).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(6));
        assertThat(forge.builds().create(BOB, new BuildRequest("demo", "mine", Map.of())).isOk()).isTrue();
        clock.advance(retryAfter);
        assertThat(forge.builds().create(ALICE, new BuildRequest("demo", "later", Map.of())).isOk()).isTrue();
    }

    @Test
    void unknownProject_isNotFoundAndNothingIsStored() {
        Forge forge = forge(new ScriptedRunner()).build();
        started.add(forge);

        Outcome<TaskRecord> outcome = forge.builds().create(ALICE, new BuildRequest("nope", "build", Map.of()));

        assertThat(outcome).isInstanceOf(Outcome.NotFound.class);
        assertThat(forge.builds().history(ALICE, null, null).orElseThrow().total()).isZero();
    }

    @Test
    void defaults_buildWithNoArguments() {
        try (Forge forge = Forge.builder().build()) {
            assertThat(forge.health().ready()).isTrue();
            assertThat(forge.builds().history(ALICE, null, null).orElseThrow().items()).isEmpty();
            assertThat(forge.builds().create(ALICE, new BuildRequest("x", "y", Map.of())))
                    .isInstanceOf(Outcome.NotFound.class);
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join(WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        assertThat(thread.isAlive()).as("close returned").isFalse();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
