package dev.forge.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.exec.CancellationToken.Reason;
import dev.forge.project.ProjectSpec;
import dev.forge.task.TaskId;
import dev.forge.testing.RecordingTaskContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A finished build's workspace is kept for a bounded time, for analyses of that build. */
class KeptBuildsTest {

    @TempDir
    Path temp;

    private Path root;
    private Path source;
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private DefaultWorkspaces workspaces;

    @BeforeEach
    void setUp() throws IOException {
        root = temp.resolve("workspaces");
        source = Files.createDirectories(temp.resolve("source"));
        Files.writeString(source.resolve("pom.xml"), "<project/>");
        workspaces = DefaultWorkspaces.builder(root).keepBuildWorkspaces(Duration.ofHours(1))
                .clock(new Clock() {
                    @Override
                    public ZoneOffset getZone() {
                        return ZoneOffset.UTC;
                    }

                    @Override
                    public Clock withZone(java.time.ZoneId zone) {
                        return this;
                    }

                    @Override
                    public Instant instant() {
                        return now;
                    }
                }).build();
    }

    private ProjectSpec project() {
        return ProjectSpec.builder("calc").localSource(source).build();
    }

    @Test
    void release_finishedBuild_keptUntilItsTimeIsUpThenSwept() throws IOException {
        RecordingTaskContext build = RecordingTaskContext.forBuild("calc", Map.of());
        Path workspace = workspaces.prepare(project(), build);
        Files.writeString(workspace.resolve("jacoco.xml"), "<report/>");

        workspaces.release(workspace, false);

        assertThat(workspace).doesNotExist();
        try (var kept = workspaces.kept(build.task().id()).orElseThrow()) {
            assertThat(kept.path().resolve("jacoco.xml")).hasContent("<report/>");
            now = now.plus(Duration.ofHours(2));
            assertThat(workspaces.sweepKeptBuilds()).as("open: not swept").isZero();
        }
        assertThat(workspaces.kept(build.task().id())).as("opened at the old time + 2 h: expired").isEmpty();
        assertThat(workspaces.sweepKeptBuilds()).isEqualTo(1);
        assertThat(root.resolve(".kept-builds")).isEmptyDirectory();
    }

    @Test
    void release_cancelledBuildOrAnalysis_deletedAtOnce() {
        RecordingTaskContext build = RecordingTaskContext.forBuild("calc", Map.of());
        Path cancelled = workspaces.prepare(project(), build);
        build.cancellationSource().cancel(Reason.USER);
        workspaces.release(cancelled, false);
        RecordingTaskContext analysis = RecordingTaskContext.forAnalysis("calc", List.of());
        Path analysed = workspaces.prepare(project(), analysis);
        workspaces.release(analysed, false);

        assertThat(cancelled).doesNotExist();
        assertThat(analysed).doesNotExist();
        assertThat(workspaces.kept(build.task().id())).isEmpty();
        assertThat(workspaces.kept(analysis.task().id())).isEmpty();
    }

    @Test
    void keepBuildWorkspaces_zero_deletesAsBefore() {
        DefaultWorkspaces plain = DefaultWorkspaces.builder(root).keepBuildWorkspaces(Duration.ZERO).build();
        RecordingTaskContext build = RecordingTaskContext.forBuild("calc", Map.of());
        Path workspace = plain.prepare(project(), build);
        plain.release(workspace, false);

        assertThat(workspace).doesNotExist();
        assertThat(plain.kept(build.task().id())).isEqualTo(Optional.empty());
        assertThat(plain.kept(TaskId.of("other"))).isEmpty();
    }
}
