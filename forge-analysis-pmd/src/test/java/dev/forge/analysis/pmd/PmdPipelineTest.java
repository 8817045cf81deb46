package dev.forge.analysis.pmd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.analysis.AnalysisPipeline;
import dev.forge.analysis.Analyzer;
import dev.forge.analysis.InPlaceWorkspaces;
import dev.forge.analysis.PlantedProject;
import dev.forge.exec.RunOutcome;
import dev.forge.testing.RecordingTaskContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PmdPipelineTest {

    @TempDir
    Path dir;

    private final AnalysisPipeline pipeline = AnalysisPipeline.withDiscoveredAnalyzers(new InPlaceWorkspaces());

    private Map<String, Object> run() {
        RunOutcome outcome = pipeline.run(PlantedProject.spec(dir), RecordingTaskContext.forAnalysis("demo", List.of()));
        assertThat(outcome.succeeded()).isTrue();
        return outcome.results();
    }

    @Test
    void withDiscoveredAnalyzers_jarOnClasspath_enablesPmd() {
        assertThat(pipeline.analyzers()).extracting(Analyzer::name)
                .containsExactly("javac", "coverage", "secrets", "sarif", "pmd");
        assertThat(pipeline.analyzers().get(4)).isInstanceOf(PmdAnalyzer.class);
    }

    @Test
    void run_plantedProject_smellsCountedSecurityListedAndRecommended() {
        PlantedProject.full(dir);

        Map<String, Object> results = run();

        assertThat(results.get("analyzers")).isEqualTo(List.of("javac", "coverage", "secrets", "sarif", "pmd"));
        // PMD's smells in App.java plus the SARIF quality warning
        assertThat((Integer) results.get("code_smells")).isGreaterThanOrEqualTo(4);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> security = (List<Map<String, Object>>) results.get("security_issues");
        assertThat(security).anySatisfy(issue -> assertThat(issue)
                .containsEntry("rule", "ForgeCommandInjection").containsEntry("tool", "pmd")
                .containsEntry("file", PlantedProject.APP)
                .containsEntry("line", PlantedProject.line(dir, PlantedProject.APP, "getRuntime().exec")));
        assertThat(security).extracting(i -> i.get("tool")).contains("pmd", "secrets", "semgrep");
        @SuppressWarnings("unchecked")
        List<String> recommendations = (List<String>) results.get("recommendations");
        assertThat(recommendations).hasSizeLessThanOrEqualTo(10)
                .anySatisfy(r -> assertThat(r).startsWith("1 empty catch block hides failures, e.g. "
                        + PlantedProject.APP + ":" + PlantedProject.line(dir, PlantedProject.APP, "catch (IOException")));
        assertThat(recommendations.get(0)).containsAnyOf("AWS", "command", "compile", "injection");
    }

    @Test
    void run_cleanProject_scoresTenWithPmdToo() {
        PlantedProject.clean(dir);

        assertThat(run()).containsEntry("quality_score", 10.0).containsEntry("code_smells", 0);
    }

    @Test
    void run_smellsAdded_scoreFalls() {
        PlantedProject.clean(dir);
        double clean = (double) run().get("quality_score");

        PlantedProject.javaSmells(dir);
        double smelly = (double) run().get("quality_score");

        assertThat(clean).isEqualTo(10.0);
        assertThat(smelly).isLessThan(clean);
    }
}
