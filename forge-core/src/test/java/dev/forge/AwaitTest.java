package dev.forge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.analysis.AnalysisRequest;
import dev.forge.analysis.AnalysisType;
import dev.forge.builds.BuildRequest;
import dev.forge.events.EventBus;
import dev.forge.events.InMemoryEventBus;
import dev.forge.events.TaskEvent;
import dev.forge.exec.ExecutorConfig;
import dev.forge.exec.RunOutcome;
import dev.forge.project.InMemoryProjectCatalog;
import dev.forge.project.ProjectCatalog;
import dev.forge.project.ProjectSpec;
import dev.forge.queue.InMemoryJobQueue;
import dev.forge.security.Principal;
import dev.forge.store.InMemoryTaskStore;
import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import dev.forge.testing.Await;
import dev.forge.testing.ScriptedRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@code completion} and {@code await} on both services: they cannot miss a task that finishes
 * before, while or after they are called, on this node or another one sharing the bus.
 */
class AwaitTest {

    private static final Duration LONG = Duration.ofSeconds(60);
    private static final Principal ALICE = Principal.user("alice");
    private static final Principal BOB = Principal.user("bob");
    private static final ProjectCatalog CATALOG = new InMemoryProjectCatalog(
            List.of(ProjectSpec.builder("demo").localSource(Path.of(".")).build()));

    private static BuildRequest build() {
        return new BuildRequest("demo", "build it", Map.of());
    }

    /** A forge without workers: tasks stay initializing until cancelled, which ends them. */
    private static Forge idle(EventBus bus) {
        Forge.Builder builder = Forge.builder().projectCatalog(CATALOG);
        return (bus == null ? builder : builder.eventBus(bus)).build();
    }

    @Test
    void completion_ofATaskThatFinishedBeforeTheCall_isDoneAtOnce() {
        try (Forge forge = idle(null)) {
            TaskRecord task = forge.builds().create(ALICE, build()).orElseThrow();
            forge.builds().cancel(ALICE, task.id()).orElseThrow();

            CompletableFuture<TaskRecord> done = forge.builds().completion(ALICE, task.id());

            // done before any event or re-read could help: the store read after subscribing saw it
            assertThat(done).isCompleted();
            assertThat(done.join().status()).isEqualTo(TaskStatus.CANCELLED);
        }
    }

    /**
     * Awaiting reuses forge's own threads: {@code CompletableFuture}'s default executor starts a
     * thread per task on a machine of two cores or fewer, and completions once used it for the
     * read after each DONE event and for each recheck.
     */
    @Test
    void completions_ofManyTasks_doNotStartAThreadEach() throws Exception {
        int tasks = 200;
        try (Forge forge = Forge.builder().projectCatalog(CATALOG)
                .admission(dev.forge.exec.AdmissionConfig.unlimited()).build()) {
            List<TaskRecord> created = new java.util.ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                created.add(forge.builds().create(ALICE, build()).orElseThrow());
            }
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long startedBefore = threads.getTotalStartedThreadCount();
            List<CompletableFuture<TaskRecord>> futures = new java.util.ArrayList<>();
            for (TaskRecord task : created) {
                futures.add(forge.builds().completion(ALICE, task.id()));
            }
            for (TaskRecord task : created) {
                forge.builds().cancel(ALICE, task.id()).orElseThrow(); // a DONE event each
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

            assertThat(threads.getTotalStartedThreadCount() - startedBefore).isLessThan(tasks / 4);
        }
    }

    @Test
    void completion_ofATaskFinishingWhileSubscribing_isNotMissed() {
        // the task ends at the worst moments: just before the subscription is live (its DONE
        // event goes nowhere) and just after it (the event arrives, the read may see it first)
        for (boolean beforeLive : new boolean[] {true, false}) {
            HookedBus bus = new HookedBus(new InMemoryEventBus(), beforeLive);
            try (Forge forge = idle(bus)) {
                TaskRecord task = forge.analyses().create(ALICE, AnalysisRequest.of("demo", AnalysisType.TYPES))
                        .orElseThrow();
                bus.onSubscribe = () -> forge.analyses().cancel(ALICE, task.id()).orElseThrow();

                CompletableFuture<TaskRecord> done = forge.analyses().completion(ALICE, task.id());

                assertThat(done).as("finished %s the subscription was live", beforeLive ? "before" : "after")
                        .isCompleted();
                assertThat(done.join().status()).isEqualTo(TaskStatus.CANCELLED);
            } finally {
                bus.close();
            }
        }
    }

    @Property(tries = 200)
    void await_racingTheTasksEnd_alwaysReturnsTheTerminalRecord(@ForAll @IntRange(max = 2000) int spins,
            @ForAll boolean awaitFirst) throws Exception {
        try (Forge forge = idle(null)) {
            TaskRecord task = forge.builds().create(ALICE, build()).orElseThrow();
            CountDownLatch go = new CountDownLatch(1);
            Thread ender = new Thread(() -> {
                awaitQuietly(go);
                for (int i = 0; i < spins; i++) {
                    Thread.onSpinWait();
                }
                forge.builds().cancel(ALICE, task.id()).orElseThrow();
            });
            ender.start();
            if (!awaitFirst) {
                go.countDown();
            }
            CompletableFuture<TaskRecord> future = forge.builds().completion(ALICE, task.id());
            go.countDown();

            assertThat(future.get(LONG.toSeconds(), TimeUnit.SECONDS).status()).isEqualTo(TaskStatus.CANCELLED);
            ender.join(LONG.toMillis());
        }
    }

    @Test
    void await_aRunningTask_returnsItsTerminalRecordWithResults() {
        ScriptedRunner runner = new ScriptedRunner().then(context -> RunOutcome.success(Map.of("steps", List.of())));
        try (Forge forge = Forge.builder().projectCatalog(CATALOG).buildRunner(runner).analysisRunner(runner)
                .executorConfig(ExecutorConfig.custom().workers(1).pollWait(Duration.ofMillis(50)).build())
                .build().start()) {
            TaskRecord task = forge.builds().create(ALICE, build()).orElseThrow();

            TaskRecord done = forge.builds().await(ALICE, task.id(), LONG).orElseThrow();

            assertThat(done.status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(forge.builds().result(ALICE, task.id()).orElseThrow().steps()).isEmpty();
        }
    }

    @Test
    void await_aTaskRunOnAnotherNode_completesThroughTheSharedBus() {
        InMemoryTaskStore store = new InMemoryTaskStore();
        InMemoryJobQueue queue = new InMemoryJobQueue();
        InMemoryEventBus bus = new InMemoryEventBus();
        CountDownLatch release = new CountDownLatch(1);
        ScriptedRunner runner = new ScriptedRunner().then(context -> {
            awaitQuietly(release);
            return RunOutcome.success(Map.of());
        });
        try (Forge api = Forge.builder().projectCatalog(CATALOG).taskStore(store).jobQueue(queue).eventBus(bus)
                .build();
                Forge worker = Forge.builder().projectCatalog(CATALOG).taskStore(store).jobQueue(queue).eventBus(bus)
                        .buildRunner(runner).analysisRunner(runner)
                        .executorConfig(ExecutorConfig.custom().workers(1).pollWait(Duration.ofMillis(50)).build())
                        .build().start()) {
            TaskRecord task = api.analyses().create(ALICE, AnalysisRequest.of("demo", AnalysisType.QUALITY))
                    .orElseThrow();
            Await.until(() -> store.find(task.id()).orElseThrow().status() == TaskStatus.RUNNING, LONG,
                    "the worker node to start the analysis");

            CompletableFuture<TaskRecord> done = api.analyses().completion(ALICE, task.id());
            assertThat(done).isNotDone();
            release.countDown();

            assertThat(done.orTimeout(LONG.toSeconds(), TimeUnit.SECONDS).join().status())
                    .isEqualTo(TaskStatus.COMPLETED);
        } finally {
            release.countDown();
            bus.close();
            queue.close();
        }
    }

    @Test
    void completion_ofAnotherUsersOrUnknownTask_failsWithTheRefusal() {
        try (Forge forge = idle(null)) {
            TaskRecord task = forge.builds().create(ALICE, build()).orElseThrow();

            assertThatThrownBy(() -> forge.builds().completion(BOB, task.id()).get())
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(RefusedException.class)
                    .hasMessage("forbidden: the task belongs to another user");
            assertThat(forge.builds().await(BOB, task.id(), LONG)).isInstanceOf(Outcome.Forbidden.class);
            assertThat(forge.builds().await(ALICE, TaskId.of("nope"), LONG))
                    .isEqualTo(new Outcome.NotFound<>("build", "nope"));
            // an analysis id is not a build
            assertThat(forge.analyses().await(ALICE, task.id(), LONG)).isInstanceOf(Outcome.NotFound.class);
        }
    }

    @Test
    void events_deliverTheTasksEventsToItsOwnerOnly() {
        try (Forge forge = idle(null)) {
            TaskRecord task = forge.builds().create(ALICE, build()).orElseThrow();
            List<TaskEvent> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

            EventBus.Subscription subscription = forge.builds().events(ALICE, task.id(), seen::add).orElseThrow();
            forge.builds().cancel(ALICE, task.id()).orElseThrow();

            Await.until(() -> seen.stream().anyMatch(e -> e.type() == TaskEvent.Type.DONE), LONG, "the DONE event");
            subscription.close();
            assertThat(forge.builds().events(BOB, task.id(), seen::add)).isInstanceOf(Outcome.Forbidden.class);
            assertThat(forge.analyses().events(ALICE, task.id(), seen::add)).isInstanceOf(Outcome.NotFound.class);
        }
    }

    @Test
    void await_pastItsTimeout_isAConflictSayingTheTaskIsUnfinished() {
        try (Forge forge = idle(null)) {
            TaskRecord task = forge.builds().create(ALICE, build()).orElseThrow();

            Outcome<TaskRecord> outcome = forge.builds().await(ALICE, task.id(), Duration.ofMillis(50));

            assertThat(outcome).isEqualTo(new Outcome.Conflict<>("build " + task.id().value()
                    + " is still initializing after PT0.05S"));
            assertThat(forge.builds().result(ALICE, task.id())).isInstanceOf(Outcome.Conflict.class);
        }
    }

    @Test
    void close_failsPendingCompletions() {
        Forge forge = idle(null);
        TaskRecord task = forge.builds().create(ALICE, build()).orElseThrow();
        CompletableFuture<TaskRecord> pending = forge.builds().completion(ALICE, task.id());

        forge.close();

        assertThatThrownBy(pending::join).cause().isInstanceOf(ForgeException.class)
                .hasMessageContaining("closed");
        assertThat(forge.builds().completion(ALICE, task.id())).isCompletedExceptionally();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            if (!latch.await(LONG.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A bus that runs a hook inside {@code subscribe(taskId, ...)}: before or after the subscription is live. */
    private static final class HookedBus extends ForwardingEventBus {
        private final boolean beforeLive;
        volatile Runnable onSubscribe = () -> { };

        HookedBus(EventBus delegate, boolean beforeLive) {
            super(delegate);
            this.beforeLive = beforeLive;
        }

        @Override
        public Subscription subscribe(TaskId taskId, Consumer<TaskEvent> listener) {
            if (beforeLive) {
                onSubscribe.run();
            }
            Subscription subscription = super.subscribe(taskId, listener);
            if (!beforeLive) {
                onSubscribe.run();
            }
            return subscription;
        }
    }
}
