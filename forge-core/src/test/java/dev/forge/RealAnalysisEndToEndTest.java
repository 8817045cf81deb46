package dev.forge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.analysis.AnalysisReport;
import dev.forge.analysis.AnalysisRequest;
import dev.forge.analysis.AnalysisType;
import dev.forge.analysis.PlantedProject;
import dev.forge.exec.ExecutorConfig;
import dev.forge.project.DirectoryProjectCatalog;
import dev.forge.security.Principal;
import dev.forge.store.JsonTree;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import dev.forge.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** forge with its default analysis pipeline: real analyzers over a project with planted problems. */
class RealAnalysisEndToEndTest {

    @TempDir
    Path projects;

    @TempDir
    Path workspaces;

    @Test
    void plantedProject_isAnalysedThroughTheWholeEngine() {
        PlantedProject.full(projects.resolve("planted"));
        Principal alice = Principal.user("alice");
        try (Forge forge = Forge.builder()
                .projectCatalog(new DirectoryProjectCatalog(projects))
                .workspaceRoot(workspaces)
                .executorConfig(ExecutorConfig.custom().workers(1).pollWait(Duration.ofMillis(100)).build())
                .build().start()) {
            TaskRecord created = forge.analyses().create(alice,
                    AnalysisRequest.of("planted", AnalysisType.SECURITY, AnalysisType.TYPES, AnalysisType.COVERAGE)).orElseThrow();

            Await.until(() -> forge.store().find(created.id()).orElseThrow().isTerminal(),
                    Duration.ofSeconds(60), "the analysis to finish");
            TaskRecord done = forge.analyses().status(alice, created.id()).orElseThrow();

            assertThat(done.status()).isEqualTo(TaskStatus.COMPLETED);
            Map<String, Object> results = done.results();
            assertThat(((Number) results.get("type_errors")).intValue()).isEqualTo(1);
            assertThat(((Number) results.get("coverage_percent")).doubleValue()).isEqualTo(75.0);
            assertThat((List<?>) results.get("security_issues")).isNotEmpty();
            assertThat(results.get("security_issues").toString()).doesNotContain(PlantedProject.AWS_KEY);
            assertThat(((Number) results.get("quality_score")).doubleValue()).isBetween(0.0, 9.9);
            assertThat((List<?>) results.get("recommendations")).isNotEmpty();
            AnalysisReport report = forge.analyses().result(alice, created.id()).orElseThrow();
            assertThat(report.typeErrors()).isEqualTo(1);
            assertThat(report.coveragePercent()).isEqualTo(75.0);
            assertThat(report.analysisTypes()).containsExactly(AnalysisType.SECURITY, AnalysisType.TYPES,
                    AnalysisType.COVERAGE);
            // the stored map is the typed report's JSON form, nothing more or less
            assertThat(JsonTree.snapshot(report.toMap())).isEqualTo(results);
        }
    }
}
