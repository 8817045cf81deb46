package dev.forge.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.Forge;
import dev.forge.builds.BuildRequest;
import dev.forge.project.InMemoryProjectCatalog;
import dev.forge.project.ProjectSpec;
import dev.forge.security.Principal;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskStatus;
import dev.forge.testing.Await;
import dev.forge.testing.ScriptedRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Finished attempts leave nothing on the executor's timer: their timeouts and heartbeat are
 * dropped, not kept until they would have been due (minutes later), which once cost about four
 * queued timers per finished task in heap and timer-thread CPU.
 */
class ExecutorTimersTest {

    private static final int TASKS = 300;
    private static final Principal ALICE = Principal.user("alice");

    @Test
    void finishedAttempts_leaveNoTimersQueued() {
        ScriptedRunner runner = new ScriptedRunner().then(context -> RunOutcome.success(Map.of()));
        try (Forge forge = Forge.builder()
                .projectCatalog(new InMemoryProjectCatalog(
                        List.of(ProjectSpec.builder("demo").localSource(Path.of(".")).build())))
                .buildRunner(runner).analysisRunner(runner)
                .admission(AdmissionConfig.unlimited())
                .build().start()) {
            for (int i = 0; i < TASKS; i++) {
                forge.builds().create(ALICE, new BuildRequest("demo", "build " + i, Map.of())).orElseThrow();
            }
            Await.until(() -> completed(forge) == TASKS, Duration.ofSeconds(60), TASKS + " builds to complete");

            // Only what repeats for ever stays queued: maintenance's periodic jobs, a handful.
            assertThat(forge.executor().pendingTimers()).isLessThan(20);
            // and no finished attempt's deadlines are left for the sweep
            Await.until(() -> forge.executor().trackedAttempts() == 0, Duration.ofSeconds(10),
                    "the last attempts' clocks to stop");
        }
    }

    private static long completed(Forge forge) {
        long done = 0;
        for (int offset = 0; offset < TASKS; offset += 100) {
            done += forge.store().listByOwner(ALICE.userId(), TaskKind.BUILD, 100, offset).items().stream()
                    .filter(task -> task.status() == TaskStatus.COMPLETED).count();
        }
        return done;
    }
}
