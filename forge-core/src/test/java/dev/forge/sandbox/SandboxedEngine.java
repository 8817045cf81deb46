package dev.forge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.Forge;
import dev.forge.builds.BuildRequest;
import dev.forge.builds.BuildRunnerConfig;
import dev.forge.builds.ProcessBuildRunner;
import dev.forge.exec.ExecutorConfig;
import dev.forge.project.ProjectCatalog;
import dev.forge.project.ProjectSpec;
import dev.forge.security.Principal;
import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import dev.forge.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * forge with a sandboxed process runner, for tests that attack the sandbox with real builds.
 * Tests that need bubblewrap (or cgroups) skip with a message when the machine lacks them,
 * unless {@code FORGE_REQUIRE_SANDBOX=1} (CI), where they fail instead.
 */
final class SandboxedEngine implements AutoCloseable {

    /** Detected once: every test shares the probe's result. */
    static final Sandbox DETECTED = Sandbox.detect();

    final Forge forge;
    final Principal alice = Principal.user("alice");

    SandboxedEngine(Path workspaces, Enforcement enforcement, SandboxPolicy policy, int workers,
            ProjectSpec... projects) {
        this(DETECTED, workspaces, enforcement, policy, workers, projects);
    }

    SandboxedEngine(Sandbox sandbox, Path workspaces, Enforcement enforcement, SandboxPolicy policy, int workers,
            ProjectSpec... projects) {
        ProcessBuildRunner runner = new ProcessBuildRunner(BuildRunnerConfig.builder()
                .workspaceRoot(workspaces).gracePeriod(Duration.ofMillis(500))
                .enforcement(enforcement).sandboxPolicy(policy).sandbox(sandbox).build());
        this.forge = Forge.builder().projectCatalog(ProjectCatalog.of(projects)).buildRunner(runner)
                .executorConfig(ExecutorConfig.custom().workers(workers).pollWait(Duration.ofMillis(50)).build())
                .build().start();
    }

    /** Skips (or fails, under FORGE_REQUIRE_SANDBOX=1) unless bubblewrap works here. */
    static void requireBubblewrap() {
        require(DETECTED.isolation() == Isolation.BUBBLEWRAP,
                "bubblewrap is not usable here (" + DETECTED.description() + ")");
    }

    /** Skips (or fails) unless the detected sandbox meets {@code policy} fully (e.g. cgroups). */
    static void requireMet(SandboxPolicy policy) {
        requireBubblewrap();
        require(DETECTED.gaps(policy).isEmpty(), "the sandbox cannot meet the policy: " + DETECTED.gaps(policy));
    }

    static void require(boolean condition, String why) {
        if (!condition) {
            if ("1".equals(System.getenv("FORGE_REQUIRE_SANDBOX"))) {
                throw new AssertionError(why + ", but FORGE_REQUIRE_SANDBOX=1");
            }
            Assumptions.abort(why + "; install bubblewrap to run this test");
        }
    }

    TaskId start(String project) {
        return forge.builds().create(alice, new BuildRequest(project, "sandbox test", Map.of())).orElseThrow().id();
    }

    TaskRecord await(TaskId id) {
        Await.until(() -> forge.store().find(id).orElseThrow().isTerminal(), Duration.ofSeconds(90),
                "build " + id + " to finish");
        return forge.store().find(id).orElseThrow();
    }

    TaskRecord build(String project) {
        return await(start(project));
    }

    String log(TaskId id) {
        return forge.builds().logs(alice, id).orElseThrow();
    }

    String log(TaskRecord task) {
        return log(task.id());
    }

    static void assertSucceeded(TaskRecord task, String log) {
        assertThat(task.error()).as(log).isNull();
    }

    @Override
    public void close() {
        forge.close();
    }
}
