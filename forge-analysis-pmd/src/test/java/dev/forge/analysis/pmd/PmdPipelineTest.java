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
        assertThat(pipeline.missingAnalyzers()).as("nothing to warn about at start").isEmpty();
    }

    @Test
    void run_plantedProject_smellsCountedSecurityListedAndRecommended() {
        PlantedProject.full(dir);

        Map<String, Object> results = run();

        assertThat(results.get("analyzers")).isEqualTo(List.of("javac", "coverage", "secrets", "sarif", "pmd"));
        assertThat(results.get("not_covered")).as("PMD covers smells and patterns").isEqualTo(List.of());
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

    @Test
    void run_twentyThousandNestedParentheses_completesNamingWhatFailedWithTheOtherMeasures() throws Exception {
        PlantedProject.clean(dir);
        java.nio.file.Files.writeString(dir.resolve("Deep.java"), "class Deep { int x = " + "(".repeat(20_000)
                + "1" + ")".repeat(20_000) + "; }\n");

        RunOutcome outcome = pipeline.run(PlantedProject.spec(dir),
                RecordingTaskContext.forAnalysis("demo", List.of("quality", "security", "types")));

        assertThat(outcome.succeeded()).as(String.valueOf(outcome.error())).isTrue();
        Map<String, Object> results = outcome.results();
        String json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(results);
        assertThat(json).doesNotContain("StackOverflowError").doesNotContain("java.lang.");
        assertThat(results.get("analyzer_errors")).asString().contains("pmd").contains("nested too deeply");
        assertThat(((Map<?, ?>) results.get("measures")).get("lines_of_code")).isNotNull();
        assertThat(results.get("analyzers")).asList().contains("secrets", "sarif").doesNotContain("pmd");
        // PMD was there but failed: quality and security say so
        assertThat(results.get("not_covered")).asString().contains("type=quality").contains("pmd failed:");
        // whether javac's parser also runs out of its 8 MiB depends on how much of it the JIT has
        // compiled (compiled frames are smaller): either way it is reported, never thrown
        if (((List<?>) results.get("analyzers")).contains("javac")) {
            assertThat(results).containsEntry("type_errors", 0);
        } else {
            assertThat((String) results.get("type_errors_reason")).startsWith("javac failed: ran out of stack");
        }
    }

    @Test
    void run_rulesCarryPmdsOwnDescriptionsAndFixes() {
        PlantedProject.full(dir);

        Map<String, Object> results = run();

        Map<?, ?> rules = (Map<?, ?>) results.get("rules");
        Map<?, ?> emptyCatch = (Map<?, ?>) rules.get("EmptyCatchBlock");
        assertThat((String) emptyCatch.get("description")).contains("exception is caught");
        assertThat((String) emptyCatch.get("fix")).contains("rethrow");
        assertThat((String) emptyCatch.get("help_uri")).startsWith("https://");
        assertThat(results.get("recommendations")).asList().noneMatch(r -> r.toString().contains("finding from pmd"));
    }
}
