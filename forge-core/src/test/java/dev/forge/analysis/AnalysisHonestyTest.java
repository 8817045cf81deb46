package dev.forge.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.exec.RunOutcome;
import dev.forge.exec.TaskContext;
import dev.forge.project.ProjectSpec;
import dev.forge.testing.RecordingTaskContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An analysis says what it could not look at. forge-core's test class path has no
 * forge-analysis-pmd, exactly like an application that depends on forge-core alone: a quality
 * and security analysis must then report the smells and patterns it could not find, in the typed
 * report and in the JSON, and the pipeline must say so once for a start-up warning.
 */
class AnalysisHonestyTest {

    private static final AnalysisReport.CoverageGap QUALITY_GAP = new AnalysisReport.CoverageGap(
            AnalysisType.QUALITY, "code smells need forge-analysis-pmd on the classpath");
    private static final AnalysisReport.CoverageGap SECURITY_GAP = new AnalysisReport.CoverageGap(
            AnalysisType.SECURITY, "vulnerable code patterns need forge-analysis-pmd on the classpath");

    @TempDir
    Path dir;

    private final InPlaceWorkspaces workspaces = new InPlaceWorkspaces();

    private RunOutcome run(AnalysisPipeline pipeline, List<String> types) {
        PlantedProject.full(dir);
        return pipeline.run(PlantedProject.spec(dir), RecordingTaskContext.forAnalysis("demo", types));
    }

    @Test
    void withoutPmd_qualityAndSecurity_reportWhatTheyCouldNotCover() {
        AnalysisPipeline discovered = AnalysisPipeline.withDiscoveredAnalyzers(workspaces);
        assertThat(discovered.analyzers()).extracting(Analyzer::name).doesNotContain("pmd");

        RunOutcome outcome = run(discovered, List.of("quality", "security"));

        assertThat(outcome.succeeded()).isTrue();
        assertThat(outcome.results().get("not_covered")).isEqualTo(List.of(
                Map.of("type", "quality", "reason", "code smells need forge-analysis-pmd on the classpath"),
                Map.of("type", "security", "reason", "vulnerable code patterns need forge-analysis-pmd on the classpath")));
        AnalysisReport report = AnalysisReport.fromMap(outcome.results());
        assertThat(report.notCovered()).containsExactly(QUALITY_GAP, SECURITY_GAP);
        assertThat(report.analyzers()).containsExactly("secrets", "sarif");
        assertThat(discovered.missingAnalyzers()).containsExactly("forge-analysis-pmd is not on the classpath:"
                + " quality analyses find no code smells, security analyses find no vulnerable code patterns");
    }

    @Test
    void withoutPmd_typesOnly_missesNothing() {
        RunOutcome outcome = run(AnalysisPipeline.withDiscoveredAnalyzers(workspaces), List.of("types"));

        assertThat(outcome.results().get("not_covered")).isEqualTo(List.of());
    }

    @Test
    void withAnAnalyzerNamedPmd_nothingIsMissing() {
        List<Analyzer> analyzers = new java.util.ArrayList<>(AnalysisPipeline.builtInAnalyzers());
        analyzers.add(new StandIn("pmd", null));
        AnalysisPipeline pipeline = new AnalysisPipeline(workspaces, analyzers);

        RunOutcome outcome = run(pipeline, List.of("quality", "security"));

        assertThat(AnalysisReport.fromMap(outcome.results()).notCovered()).isEmpty();
        assertThat(pipeline.missingAnalyzers()).isEmpty();
    }

    @Test
    void aFailingAnalyzer_isAGapOfTheTypesItWasRunFor() {
        List<Analyzer> analyzers = new java.util.ArrayList<>(AnalysisPipeline.builtInAnalyzers());
        analyzers.add(new StandIn("pmd", new IllegalStateException("boom")));

        RunOutcome outcome = run(new AnalysisPipeline(workspaces, analyzers), List.of("quality"));

        List<AnalysisReport.CoverageGap> gaps = AnalysisReport.fromMap(outcome.results()).notCovered();
        assertThat(gaps).singleElement().satisfies(gap -> {
            assertThat(gap.type()).isEqualTo(AnalysisType.QUALITY);
            assertThat(gap.reason()).startsWith("pmd failed: ");
        });
    }

    /** An analyzer that finds nothing, or throws. */
    private record StandIn(String name, RuntimeException failure) implements Analyzer {
        @Override
        public Set<AnalysisType> types() {
            return Set.of(AnalysisType.QUALITY, AnalysisType.SECURITY);
        }

        @Override
        public Result analyze(Path workspace, ProjectSpec project, Set<AnalysisType> requested, TaskContext context) {
            if (failure != null) {
                throw failure;
            }
            return new Result(List.of(), Map.of());
        }
    }
}
