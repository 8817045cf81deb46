package dev.forge.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.Forge;
import dev.forge.builds.BuildRequest;
import dev.forge.builds.BuildResult;
import dev.forge.exec.ExecutorConfig;
import dev.forge.exec.RunOutcome;
import dev.forge.project.InMemoryProjectCatalog;
import dev.forge.project.ProjectCatalog;
import dev.forge.project.ProjectSpec;
import dev.forge.security.Principal;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code completion} on an API node that runs no workers completes when a worker node, sharing
 * only Redis, finishes the build: the DONE event crosses Redis pub/sub.
 */
class RedisAwaitTest {

    private static final Duration LONG = Duration.ofSeconds(60);
    private static final Principal ALICE = Principal.user("alice");
    private static final ProjectCatalog CATALOG = new InMemoryProjectCatalog(
            List.of(ProjectSpec.builder("demo").localSource(Path.of(".")).build()));

    private RedisFixture redis;

    @BeforeEach
    void open() {
        redis = RedisFixture.open();
    }

    @AfterEach
    void close() {
        redis.close();
    }

    @Test
    void completion_onTheApiNode_seesTheBuildAWorkerNodeFinished() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ScriptedRunner runner = new ScriptedRunner().then(context -> {
            try {
                release.await(LONG.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return RunOutcome.success(new BuildResult(List.of(new BuildResult.Step("build", 0, 12)),
                    new BuildResult.Tests(3, 3, 0, 0), List.of(), List.of("target/report.xml")).toMap());
        });
        try (Forge api = redis.node().configure(Forge.builder().projectCatalog(CATALOG)).build();
                Forge worker = redis.node().configure(Forge.builder().projectCatalog(CATALOG))
                        .buildRunner(runner).analysisRunner(runner)
                        .executorConfig(ExecutorConfig.custom().workers(1).pollWait(Duration.ofMillis(100)).build())
                        .build().start()) {
            TaskRecord build = api.builds().create(ALICE, new BuildRequest("demo", "build it", Map.of()))
                    .orElseThrow();
            Await.until(() -> api.builds().status(ALICE, build.id()).orElseThrow().status() == TaskStatus.RUNNING,
                    LONG, "the worker node to start the build");

            CompletableFuture<TaskRecord> done = api.builds().completion(ALICE, build.id());
            assertThat(done).isNotDone();
            release.countDown();

            assertThat(done.get(LONG.toSeconds(), TimeUnit.SECONDS).status()).isEqualTo(TaskStatus.COMPLETED);
            BuildResult result = api.builds().result(ALICE, build.id()).orElseThrow();
            assertThat(result.tests().passed()).isEqualTo(3);
            assertThat(result.steps()).containsExactly(new BuildResult.Step("build", 0, 12));
            assertThat(result.artifacts()).containsExactly("target/report.xml");
        } finally {
            release.countDown();
        }
    }
}
