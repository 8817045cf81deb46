package dev.forge.analysis.sarif;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.forge.analysis.AnalysisType;
import dev.forge.analysis.Analyzer;
import dev.forge.analysis.Finding;
import dev.forge.analysis.PlantedProject;
import dev.forge.analysis.Severity;
import dev.forge.testing.RecordingTaskContext;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SarifTest {

    @TempDir
    Path dir;

    private final RecordingTaskContext context = RecordingTaskContext.forAnalysis("demo", List.of());

    private Analyzer.Result importAll() {
        return new SarifImportAnalyzer().analyze(dir, PlantedProject.spec(dir),
                EnumSet.of(AnalysisType.QUALITY, AnalysisType.SECURITY), context);
    }

    @Test
    void import_otherToolsLog_mapsToolCategorySeverityFileAndLine() {
        PlantedProject.full(dir);

        List<Finding> findings = importAll().findings();

        assertThat(findings).containsExactly(
                new Finding("java.lang.security.audit.command-injection", AnalysisType.SECURITY,
                        Severity.CRITICAL, PlantedProject.APP,
                        PlantedProject.line(dir, PlantedProject.APP, "Runtime.getRuntime().exec"),
                        "User input reaches Runtime.exec", "semgrep"),
                new Finding("java.best-practice.unused-import", AnalysisType.QUALITY, Severity.MINOR,
                        PlantedProject.APP, 3, "Unused import", "semgrep"));
    }

    @Test
    void import_onlyRequestedCategoriesKept() {
        PlantedProject.full(dir);

        List<Finding> findings = new SarifImportAnalyzer().analyze(dir, PlantedProject.spec(dir),
                Set.of(AnalysisType.QUALITY), context).findings();

        assertThat(findings).extracting(Finding::category).containsOnly(AnalysisType.QUALITY).hasSize(1);
    }

    @Test
    void import_securitySeverityAndAbsoluteUris_mapped() {
        PlantedProject.write(dir, "src/A.java", "class A {}\n");
        String absolute = dir.resolve("src/A.java").toUri().toString();
        PlantedProject.write(dir, "codeql.sarif", """
                {"version": "2.1.0", "runs": [{
                  "tool": {"driver": {"name": "CodeQL", "rules": [
                    {"id": "java/sql-injection", "properties": {"security-severity": "8.8"}},
                    {"id": "java/weak-crypto", "properties": {"security-severity": "9.1", "tags": ["security"]}}]}},
                  "artifacts": [{"location": {"uri": "/home/ci/build/project/src/A.java"}}],
                  "results": [
                    {"ruleId": "java/sql-injection", "level": "warning", "message": {"text": "sqli"},
                     "locations": [{"physicalLocation": {"artifactLocation": {"uri": "%s"}, "region": {"startLine": 1}}}]},
                    {"ruleId": "java/weak-crypto", "message": {"text": "crypto"},
                     "locations": [{"physicalLocation": {"artifactLocation": {"index": 0}}}]},
                    {"ruleId": "java/sql-injection", "kind": "pass", "message": {"text": "ok"}}
                  ]}]}
                """.formatted(absolute));

        List<Finding> findings = importAll().findings();

        assertThat(findings).extracting(Finding::ruleId, Finding::severity, Finding::file, Finding::line)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("java/sql-injection", Severity.CRITICAL, "src/A.java", 1),
                        org.assertj.core.groups.Tuple.tuple("java/weak-crypto", Severity.BLOCKER, "src/A.java", 0));
        assertThat(findings).extracting(Finding::category).containsOnly(AnalysisType.SECURITY);
    }

    @Test
    void import_invalidFile_skippedAndNamed() {
        PlantedProject.write(dir, "broken.sarif", "{ not json");
        PlantedProject.write(dir, "other.sarif", "{\"version\": \"2.1.0\"}");

        Analyzer.Result result = importAll();

        assertThat(result.findings()).isEmpty();
        assertThat(result.measures().get("sarif_files").toString())
                .contains("broken.sarif").contains("other.sarif").contains("no runs array");
        assertThat(context.logText()).contains("skipped broken.sarif");
    }

    @Test
    void export_producesSarif210WithOneRunPerTool() throws Exception {
        Map<String, Object> results = resultsOf(List.of(
                new Finding("EmptyCatchBlock", AnalysisType.QUALITY, Severity.MAJOR, "src/App.java", 12,
                        "Avoid empty catch blocks", "pmd"),
                new Finding("secret-aws-access-key", AnalysisType.SECURITY, Severity.CRITICAL,
                        "app.properties", 2, "AWS access key id AKIA**** hard-coded", "secrets")));

        String json = Sarif.exportJson(results);
        JsonNode log = new ObjectMapper().readTree(json);

        assertThat(log.path("version").asText()).isEqualTo("2.1.0");
        assertThat(log.path("$schema").asText()).contains("sarif-2.1.0");
        assertThat(log.path("runs")).hasSize(2);
        JsonNode pmd = log.path("runs").path(0);
        assertThat(pmd.path("tool").path("driver").path("name").asText()).isEqualTo("pmd");
        JsonNode result = pmd.path("results").path(0);
        assertThat(result.path("ruleId").asText()).isEqualTo("EmptyCatchBlock");
        assertThat(result.path("level").asText()).isEqualTo("error");
        assertThat(result.path("locations").path(0).path("physicalLocation").path("region")
                .path("startLine").asInt()).isEqualTo(12);
        JsonNode secretsRule = log.path("runs").path(1).path("tool").path("driver").path("rules").path(0);
        assertThat(secretsRule.path("properties").path("security-severity").asText()).isEqualTo("8.0");
    }

    @Test
    void export_thenImport_roundTripsEveryFinding() {
        List<Finding> original = List.of(
                new Finding("EmptyCatchBlock", AnalysisType.QUALITY, Severity.MAJOR, "src/App.java", 12,
                        "Avoid empty catch blocks", "pmd"),
                new Finding("GodClass", AnalysisType.QUALITY, Severity.BLOCKER, "src/Big.java", 1,
                        "God class", "pmd"),
                new Finding("secret-aws-access-key", AnalysisType.SECURITY, Severity.CRITICAL,
                        "app.properties", 2, "AWS access key id hard-coded", "secrets"),
                new Finding("compiler.err.prob.found.req", AnalysisType.QUALITY, Severity.INFO, null, 0,
                        "project-wide note", "javac"),
                new Finding("custom", AnalysisType.SECURITY, Severity.MINOR, "a b/c.txt", 3, "spaces", "other"));
        PlantedProject.write(dir, "forge.sarif", Sarif.exportJson(resultsOf(original)));

        String json = Sarif.exportJson(resultsOf(original));
        assertThat(json).contains("\"a%20b/c.txt\"");

        List<Finding> imported = importAll().findings();

        assertThat(imported).containsExactlyInAnyOrderElementsOf(original);
    }

    @Test
    void export_noFindings_oneEmptyForgeRun() {
        Map<String, Object> log = Sarif.export(Map.of("quality_score", 10.0));

        assertThat(log.get("runs")).asList().singleElement().asString().contains("name=forge").contains("results=[]");
    }

    private static Map<String, Object> resultsOf(List<Finding> findings) {
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("findings", findings.stream().map(f -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rule", f.ruleId());
            m.put("category", f.category().wireName());
            m.put("severity", f.severity().wireName());
            m.put("file", f.file());
            m.put("line", f.line());
            m.put("message", f.message());
            m.put("tool", f.tool());
            return m;
        }).toList());
        return results;
    }
}
