package dev.forge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.builds.BuildRequest;
import dev.forge.exec.AdmissionConfig;
import dev.forge.exec.ExecutorConfig;
import dev.forge.exec.RunOutcome;
import dev.forge.exec.TaskContext;
import dev.forge.exec.TaskRunner;
import dev.forge.project.InMemoryProjectCatalog;
import dev.forge.project.ProjectCatalog;
import dev.forge.project.ProjectSpec;
import dev.forge.ratelimit.InMemoryRateLimiter;
import dev.forge.ratelimit.RateLimitConfig;
import dev.forge.ratelimit.RateLimitRule;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.security.Principal;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import dev.forge.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bounded, fair queues end to end through {@link Forge} with the in-memory adapters: one user's
 * backlog does not delay another user's first build by more than one build, and the admission
 * limits refuse what would grow the queue past them.
 */
class FairSchedulingTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Principal ALICE = Principal.user("alice");
    private static final Principal BOB = Principal.user("bob");
    private static final ProjectCatalog CATALOG = new InMemoryProjectCatalog(
            List.of(ProjectSpec.builder("demo").localSource(Path.of(".")).build()));

    private final List<Forge> started = new ArrayList<>();
    private final GatedRunner runner = new GatedRunner();

    @AfterEach
    void closeAll() {
        runner.openForGood();
        started.forEach(Forge::close);
    }

    /**
     * A runner that records who each build is for as it starts, then waits for a permit, so the
     * test decides when the one worker moves on and sees the start order exactly.
     */
    private static final class GatedRunner implements TaskRunner {
        final List<String> startedFor = new CopyOnWriteArrayList<>();
        final Semaphore gate = new Semaphore(0);

        @Override
        public RunOutcome run(ProjectSpec project, TaskContext context) {
            startedFor.add(context.task().owner());
            try {
                while (!gate.tryAcquire(50, TimeUnit.MILLISECONDS)) {
                    if (context.cancellation().isCancelled()) {
                        return RunOutcome.success(Map.of());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return RunOutcome.success(Map.of());
        }

        void openForGood() {
            gate.release(1_000_000);
        }
    }

    private Forge start(AdmissionConfig admission) {
        RateLimiter generous = new InMemoryRateLimiter(RateLimitConfig.custom()
                .rule(RateLimiter.BUILD_CREATE, RateLimitRule.perMinute(100_000)).build(), java.time.Clock.systemUTC());
        Forge forge = Forge.builder().projectCatalog(CATALOG).buildRunner(runner).analysisRunner(runner)
                .rateLimiter(generous).admission(admission)
                .executorConfig(ExecutorConfig.custom().workers(1).pollWait(Duration.ofMillis(100))
                        .shutdownDeadline(Duration.ofSeconds(5)).build())
                .build();
        started.add(forge);
        return forge.start();
    }

    private static Outcome<TaskRecord> create(Forge forge, Principal who) {
        return forge.builds().create(who, new BuildRequest("demo", "build it", Map.of()));
    }

    @Test
    void oneWorker_aThousandBuildsOfOneUser_thenAnothersFirst_startsAfterAtMostOneMoreOfTheFirstUsers() {
        Forge forge = start(AdmissionConfig.ofDefaults().withActiveTasksPerUser(5_000));
        for (int i = 0; i < 1_000; i++) {
            create(forge, ALICE).orElseThrow();
        }
        Await.until(() -> runner.startedFor.size() == 1, WAIT, "alice's first build to start");
        int aliceStartedBeforeBob = runner.startedFor.size();

        create(forge, BOB).orElseThrow();

        for (int permits = 1; !runner.startedFor.contains("bob"); permits++) {
            int before = runner.startedFor.size();
            runner.gate.release();
            Await.until(() -> runner.startedFor.size() > before, WAIT, "the next build to start");
            assertThat(permits).as("builds started before bob's").isLessThanOrEqualTo(2);
        }
        int bobsTurn = runner.startedFor.indexOf("bob");
        long alicesAfterBobCreated = runner.startedFor.subList(aliceStartedBeforeBob, bobsTurn).stream()
                .filter("alice"::equals).count();
        assertThat(alicesAfterBobCreated).as("alice's builds started after bob's was created, before it")
                .isLessThanOrEqualTo(1);
        assertThat(forge.metrics().registry().get("forge_queue_waiting_users").tags("queue", "build")
                .gauge().value()).as("only alice waits now").isEqualTo(1.0);
    }

    @Test
    void activeTasksPerUser_refusesTheUsersNextTask_untilOneEnds() {
        Forge forge = start(AdmissionConfig.ofDefaults().withActiveTasksPerUser(3)
                .withRetryAfter(Duration.ofSeconds(7), Duration.ofSeconds(40)));
        List<TaskRecord> alices = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            alices.add(create(forge, ALICE).orElseThrow());
        }

        Outcome<TaskRecord> fourth = create(forge, ALICE);

        assertThat(fourth).isEqualTo(new Outcome.Refused<TaskRecord>(
                Outcome.Refused.Limit.ACTIVE_TASKS_PER_USER, 3, Duration.ofSeconds(7)));
        assertThat(forge.builds().history(ALICE, null, null).orElseThrow().total())
                .as("nothing stored for the refused task").isEqualTo(3);
        assertThat(create(forge, BOB).isOk()).as("another user is not limited by alice").isTrue();
        Await.until(() -> runner.startedFor.size() == 1, WAIT, "the first build to start");
        runner.gate.release();
        TaskRecord first = alices.get(0);
        Await.until(() -> forge.store().find(first.id()).orElseThrow().status() == TaskStatus.COMPLETED
                && forge.queue().depth("build", "alice") == 2, WAIT, "alice's first build to end");
        assertThat(create(forge, ALICE).isOk()).as("room again once a task ended").isTrue();
    }

    @Test
    void queuedTasksPerQueue_refusesEveryoneOnceTheQueueIsFull() {
        Forge forge = start(AdmissionConfig.ofDefaults().withQueuedTasksPerQueue(4)
                .withRetryAfter(Duration.ofSeconds(7), Duration.ofSeconds(40)));
        for (int i = 0; i < 2; i++) {
            create(forge, ALICE).orElseThrow();
            create(forge, BOB).orElseThrow();
        }

        Outcome<TaskRecord> fifth = create(forge, Principal.user("carol"));

        assertThat(fifth).isEqualTo(new Outcome.Refused<TaskRecord>(
                Outcome.Refused.Limit.QUEUED_TASKS, 4, Duration.ofSeconds(40)));
        assertThat(forge.queue().depth("build", "carol")).isZero();
    }
}
