package dev.forge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.builds.BuildRequest;
import dev.forge.exec.AdmissionConfig;
import dev.forge.exec.ExecutorConfig;
import dev.forge.project.InMemoryProjectCatalog;
import dev.forge.project.ProjectSpec;
import dev.forge.ratelimit.InMemoryRateLimiter;
import dev.forge.ratelimit.RateLimitConfig;
import dev.forge.security.Principal;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import dev.forge.testing.Await;
import dev.forge.testing.MutableClock;
import dev.forge.testing.ScriptedRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code BuildService.createAll}: a batch answers each request as {@code create} would, in order. */
class BuildCreateAllTest {

    private static final Principal ALICE = Principal.user("alice");

    private static Forge.Builder forge() {
        return Forge.builder()
                .projectCatalog(new InMemoryProjectCatalog(
                        List.of(ProjectSpec.builder("demo").localSource(Path.of(".")).build())))
                .buildRunner(new ScriptedRunner())
                .executorConfig(ExecutorConfig.custom().workers(2).pollWait(Duration.ofMillis(100)).build());
    }

    private static BuildRequest build(String project) {
        return new BuildRequest(project, "build it", Map.of());
    }

    private static double storeCalls(Forge forge, String op) {
        return forge.metrics().registry().get("forge_store_calls_total").tag("op", op).counter().count();
    }

    @Test
    void mixedBatch_answersEachRequestInOrder_andRunsTheCreatedOnes() {
        try (Forge forge = forge().build().start()) {
            List<Outcome<TaskRecord>> outcomes = forge.builds().createAll(ALICE,
                    List.of(build("demo"), build("../etc"), build("demo"), build("nope"), build("demo")));

            assertThat(outcomes).hasSize(5);
            assertThat(outcomes.get(1)).isInstanceOf(Outcome.Invalid.class);
            assertThat(outcomes.get(3)).isInstanceOf(Outcome.NotFound.class);
            List<TaskRecord> created = List.of(outcomes.get(0).orElseThrow(), outcomes.get(2).orElseThrow(),
                    outcomes.get(4).orElseThrow());
            assertThat(created).extracting(TaskRecord::id).doesNotHaveDuplicates();
            assertThat(forge.builds().history(ALICE, null, null).orElseThrow().total()).isEqualTo(3);
            assertThat(storeCalls(forge, "create_all_and_enqueue")).as("one batch write for the three").isEqualTo(1);
            assertThat(storeCalls(forge, "create")).isZero();
            for (TaskRecord task : created) {
                assertThat(forge.builds().await(ALICE, task.id(), Duration.ofSeconds(10)).orElseThrow().status())
                        .isEqualTo(TaskStatus.COMPLETED);
            }
        }
    }

    @Test
    void rateLimit_takesOnePermitPerBuild_andRefusesTheRestOnceOneIsDenied() {
        MutableClock clock = MutableClock.startingAt2026();
        try (Forge forge = forge().clock(clock)
                .rateLimiter(new InMemoryRateLimiter(RateLimitConfig.ofDefaults(), clock)).build()) {
            List<BuildRequest> twelve = new ArrayList<>();
            for (int i = 0; i < RateLimitConfig.DEFAULT_BUILD_CREATE_PER_MINUTE + 2; i++) {
                twelve.add(build("demo"));
            }

            List<Outcome<TaskRecord>> outcomes = forge.builds().createAll(ALICE, twelve);

            int allowed = RateLimitConfig.DEFAULT_BUILD_CREATE_PER_MINUTE;
            assertThat(outcomes.subList(0, allowed)).allMatch(Outcome::isOk);
            assertThat(outcomes.subList(allowed, outcomes.size())).allMatch(o -> o instanceof Outcome.RateLimited);
            assertThat(forge.builds().history(ALICE, 100, 0).orElseThrow().total()).isEqualTo(allowed);
        }
    }

    @Test
    void admission_countsTheBatchAsItIsAdmitted() {
        try (Forge forge = forge().admission(AdmissionConfig.ofDefaults().withActiveTasksPerUser(2)).build()) {
            List<Outcome<TaskRecord>> outcomes = forge.builds().createAll(ALICE,
                    List.of(build("demo"), build("demo"), build("demo")));

            assertThat(outcomes.get(0).isOk()).isTrue();
            assertThat(outcomes.get(1).isOk()).isTrue();
            assertThat(outcomes.get(2)).isInstanceOf(Outcome.Refused.class);
            Await.until(() -> forge.builds().history(ALICE, null, null).orElseThrow().total() == 2,
                    Duration.ofSeconds(5), "two stored builds");
        }
    }
}
