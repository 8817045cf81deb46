package dev.forge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.builds.BuildRequest;
import dev.forge.builds.BuildResult;
import dev.forge.events.TaskEvent;
import dev.forge.exec.ExecutorConfig;
import dev.forge.project.DirectoryProjectCatalog;
import dev.forge.security.Principal;
import dev.forge.store.JsonTree;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import dev.forge.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** forge with its default runner: a real Makefile project, built and tested by real processes. */
class RealBuildEndToEndTest {

    @TempDir
    Path projects;

    @TempDir
    Path workspaces;

    @Test
    void makefileProject_buildsThroughTheWholeEngine() throws IOException {
        Path project = Files.createDirectories(projects.resolve("hello"));
        Files.writeString(project.resolve("Makefile"), String.join("\n",
                "all:",
                "\t@echo building $$FORGE_PARAM_FLAVOR",
                "test:",
                "\t@mkdir -p reports",
                "\t@printf '<testsuite name=\"s\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\">"
                        + "<testcase name=\"a\"/><testcase name=\"b\"><failure message=\"boom\"/></testcase>"
                        + "<testcase name=\"c\"><skipped/></testcase></testsuite>' > reports/TEST-s.xml",
                ""));
        Principal alice = Principal.user("alice");
        List<TaskEvent> events = new CopyOnWriteArrayList<>();
        try (Forge forge = Forge.builder()
                .projectCatalog(new DirectoryProjectCatalog(projects))
                .workspaceRoot(workspaces)
                .executorConfig(ExecutorConfig.custom().workers(1).pollWait(Duration.ofMillis(100)).build())
                .build().start()) {
            // $HOME would expand if the value were ever spliced into shell code; validation now
            // refuses outright attacks such as $(id), so this is the strongest value that gets in
            TaskRecord created = forge.builds().create(alice,
                    new BuildRequest("hello", "build and test it", Map.of("flavor", "$HOME 'quoted' text")))
                    .orElseThrow();
            forge.events().subscribe(created.id(), events::add);

            Await.until(() -> forge.store().find(created.id()).orElseThrow().isTerminal(),
                    Duration.ofSeconds(60), "the build to finish");
            TaskRecord done = forge.store().find(created.id()).orElseThrow();

            assertThat(done.status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(done.results()).containsEntry("tests",
                    Map.of("total", 3, "passed", 1, "failed", 1, "skipped", 1));
            BuildResult result = forge.builds().result(alice, created.id()).orElseThrow();
            assertThat(result.tests()).isEqualTo(new BuildResult.Tests(3, 1, 1, 1));
            assertThat(result.failures()).hasSize(1);
            assertThat(result.steps()).allMatch(BuildResult.Step::succeeded).isNotEmpty();
            // the stored map is the typed result's JSON form, nothing more or less
            assertThat(JsonTree.snapshot(result.toMap())).isEqualTo(done.results());
            assertThat(forge.builds().logs(alice, created.id()).orElseThrow())
                    .contains("building $HOME 'quoted' text");
            Await.until(() -> events.stream().anyMatch(e -> e.type() == TaskEvent.Type.DONE),
                    Duration.ofSeconds(5), "the done event");
            assertThat(events).anyMatch(e -> e.type() == TaskEvent.Type.LOG);
            try (var left = Files.list(workspaces)) {
                // only the finished build's workspace is left, kept for analyses of the build
                assertThat(left).as("workspaces are removed after the build")
                        .containsExactly(workspaces.resolve(".kept-builds"));
            }
        }
    }
}
